package io.tunefleet.common.task;

/** One thing wrong with a task file, named by its JSON path, e.g. {@code $.optimization.max_iterations}. */
public record Problem(String path, String message) {

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
