package dev.haven.samples.spring;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Which server the current transaction runs on: {@code SELECT @@server_id} on the transaction's own connection. */
@Component
public class ServerIdentity {

    @PersistenceContext
    private EntityManager entityManager;

    @Transactional(propagation = Propagation.MANDATORY)
    public long serverId() {
        return ((Number) entityManager.createNativeQuery("SELECT @@server_id").getSingleResult()).longValue();
    }
}
