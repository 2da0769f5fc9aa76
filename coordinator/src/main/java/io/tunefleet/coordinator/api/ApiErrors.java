package io.tunefleet.coordinator.api;

import io.tunefleet.common.task.InvalidTaskException;
import io.tunefleet.common.task.Problem;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;

/** Errors as JSON a user can act on: what is wrong, and where. */
@RestControllerAdvice
class ApiErrors {

    @ExceptionHandler(InvalidTaskException.class)
    ResponseEntity<Map<String, Object>> invalidTask(InvalidTaskException e) {
        List<Map<String, String>> problems = e.problems().stream()
                .map((Problem p) -> Map.of("path", p.path(), "message", p.message()))
                .toList();
        return ResponseEntity.badRequest().body(Map.of(
                "error", "invalid task: " + problems.size() + " problem(s); nothing was stored",
                "problems", problems));
    }

    @ExceptionHandler(ResponseStatusException.class)
    ResponseEntity<Map<String, Object>> status(ResponseStatusException e) {
        return ResponseEntity.status(e.getStatusCode())
                .body(Map.of("error", e.getReason() == null ? e.getStatusCode().toString() : e.getReason()));
    }
}
