package io.tunefleet.common.task;

import java.util.List;
import java.util.stream.Collectors;

/** A task file with one or more problems; carries all of them, not just the first. */
public final class InvalidTaskException extends RuntimeException {

    private final List<Problem> problems;

    public InvalidTaskException(List<Problem> problems) {
        super("invalid task: " + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
