package dev.haven.spring.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code items}, for the JPA integration test. */
@Entity
@Table(name = "items")
public class Item {

    @Id
    private Long id;

    private String name;

    protected Item() {
    }

    public Item(Long id, String name) {
        this.id = id;
        this.name = name;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }
}
