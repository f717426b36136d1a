package dev.haven.samples.spring;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.data.domain.Limit;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Orders: reads in read-only transactions (a replica), writes in read-write ones (the primary). */
@Service
public class OrderService {

    private final OrderRepository orders;
    private final ServerIdentity server;

    public OrderService(OrderRepository orders, ServerIdentity server) {
        this.orders = orders;
        this.server = server;
    }

    @Transactional(readOnly = true)
    public Served<List<Order>> latest(int limit) {
        return new Served<>(server.serverId(), orders.findByOrderByIdDesc(Limit.of(limit)));
    }

    @Transactional(readOnly = true)
    public Served<Optional<Order>> find(long id) {
        return new Served<>(server.serverId(), orders.findById(id));
    }

    /** How many orders are in each status. */
    @Transactional(readOnly = true)
    public Served<Map<Order.Status, Long>> stats() {
        return new Served<>(server.serverId(), Map.of(
                Order.Status.NEW, orders.countByStatus(Order.Status.NEW),
                Order.Status.SHIPPED, orders.countByStatus(Order.Status.SHIPPED)));
    }

    @Transactional
    public Served<Order> create(String item, int quantity) {
        Order order = orders.save(new Order(item, quantity));
        return new Served<>(server.serverId(), order);
    }

    /** Marks an order shipped: a read and an update in one read-write transaction, both on the primary. */
    @Transactional
    public Served<Optional<Order>> ship(long id) {
        Optional<Order> order = orders.findById(id);
        order.ifPresent(Order::ship);
        return new Served<>(server.serverId(), order);
    }
}
