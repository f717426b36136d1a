package dev.haven.samples.spring;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** An order of some quantity of an item; table {@code orders}, entity name {@code PurchaseOrder} (ORDER is a keyword). */
@Entity(name = "PurchaseOrder")
@Table(name = "orders")
public class Order {

    /** Where an order is. */
    public enum Status { NEW, SHIPPED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, length = 100)
    private String item;

    @Column(nullable = false)
    private int quantity;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false, length = 16)
    private Status status;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected Order() {
    }

    public Order(String item, int quantity) {
        this.item = item;
        this.quantity = quantity;
        this.status = Status.NEW;
        this.createdAt = Instant.now();
    }

    public void ship() {
        status = Status.SHIPPED;
    }

    public Long getId() {
        return id;
    }

    public String getItem() {
        return item;
    }

    public int getQuantity() {
        return quantity;
    }

    public Status getStatus() {
        return status;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
