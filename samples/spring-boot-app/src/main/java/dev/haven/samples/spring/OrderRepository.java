package dev.haven.samples.spring;

import java.util.List;
import org.springframework.data.domain.Limit;
import org.springframework.data.jpa.repository.JpaRepository;

public interface OrderRepository extends JpaRepository<Order, Long> {

    List<Order> findByOrderByIdDesc(Limit limit);

    long countByStatus(Order.Status status);
}
