package dev.haven.samples.spring;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.resilience.annotation.Retryable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Notes and orders over HTTP. {@code GET}s run in read-only transactions (on a replica), {@code POST}s in read-write
 * ones (on the primary); every body is {@code {"serverId": ..., "data": ...}}. A {@code POST} whose transaction
 * certainly did not commit ({@code 40001}, see {@link RetryNotCommitted}) runs again, outside its transaction.
 */
@RestController
public class SampleController {

    /** The body of {@code POST /notes}. */
    public record NewNote(String text) {
    }

    /** The body of {@code POST /orders}. */
    public record NewOrder(String item, int quantity) {
    }

    private final NoteService notes;
    private final OrderService orders;

    public SampleController(NoteService notes, OrderService orders) {
        this.notes = notes;
        this.orders = orders;
    }

    @GetMapping("/notes")
    public Served<List<Note>> notes(@RequestParam(defaultValue = "20") int limit) {
        return notes.latest(Math.max(1, Math.min(limit, 100)));
    }

    @GetMapping("/notes/{id}")
    public ResponseEntity<Served<Note>> note(@PathVariable long id) {
        return found(notes.find(id));
    }

    @PostMapping("/notes")
    @Retryable(predicate = RetryNotCommitted.class, maxRetries = 3, delay = 50)
    public ResponseEntity<Served<Note>> createNote(@RequestBody NewNote body) {
        if (body.text() == null || body.text().isBlank() || body.text().length() > 500) {
            throw new IllegalArgumentException("text: 1 to 500 characters");
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(notes.create(body.text()));
    }

    @GetMapping("/orders")
    public Served<List<Order>> orders(@RequestParam(defaultValue = "20") int limit) {
        return orders.latest(Math.max(1, Math.min(limit, 100)));
    }

    @GetMapping("/orders/stats")
    public Served<Map<Order.Status, Long>> orderStats() {
        return orders.stats();
    }

    @GetMapping("/orders/{id}")
    public ResponseEntity<Served<Order>> order(@PathVariable long id) {
        return found(orders.find(id));
    }

    @PostMapping("/orders")
    @Retryable(predicate = RetryNotCommitted.class, maxRetries = 3, delay = 50)
    public ResponseEntity<Served<Order>> createOrder(@RequestBody NewOrder body) {
        if (body.item() == null || body.item().isBlank() || body.item().length() > 100 || body.quantity() < 1) {
            throw new IllegalArgumentException("item: 1 to 100 characters; quantity: at least 1");
        }
        return ResponseEntity.status(HttpStatus.CREATED).body(orders.create(body.item(), body.quantity()));
    }

    @PostMapping("/orders/{id}/ship")
    @Retryable(predicate = RetryNotCommitted.class, maxRetries = 3, delay = 50)
    public ResponseEntity<Served<Order>> ship(@PathVariable long id) {
        return found(orders.ship(id));
    }

    /** 200 with the entity, or 404 (still naming the server that looked). */
    private static <T> ResponseEntity<Served<T>> found(Served<Optional<T>> served) {
        return served.data()
                .map(d -> ResponseEntity.ok(new Served<>(served.serverId(), d)))
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).body(new Served<>(served.serverId(), null)));
    }
}
