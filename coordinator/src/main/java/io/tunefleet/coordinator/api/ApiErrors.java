package io.tunefleet.coordinator.api;

import io.tunefleet.common.task.InvalidTaskException;
import io.tunefleet.common.task.Problem;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
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

    /** A path or query value of the wrong type: {@code /api/tasks/abc}, {@code ?offset=x}. */
    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Map<String, Object>> typeMismatch(MethodArgumentTypeMismatchException e) {
        Class<?> type = e.getRequiredType();
        boolean whole = type == long.class || type == Long.class || type == int.class || type == Integer.class;
        String expected = whole ? "a whole number in range" : type == null ? "a value of another kind"
                : "a " + type.getSimpleName();
        return ResponseEntity.badRequest().body(Map.of("error", "'" + e.getName() + "' must be " + expected
                + ", got '" + e.getValue() + "'"));
    }

    /** No body, or one that is not the text the endpoint reads. */
    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadableBody(HttpMessageNotReadableException e) {
        return ResponseEntity.badRequest().body(Map.of("error", "the request body is missing or unreadable: "
                + e.getMostSpecificCause().getMessage()));
    }

    @ExceptionHandler(ResponseStatusException.class)
    ResponseEntity<Map<String, Object>> status(ResponseStatusException e) {
        return ResponseEntity.status(e.getStatusCode())
                .body(Map.of("error", e.getReason() == null ? e.getStatusCode().toString() : e.getReason()));
    }
}
