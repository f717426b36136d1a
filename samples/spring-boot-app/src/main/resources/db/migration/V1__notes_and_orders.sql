-- Runs on the primary: Flyway's connection is read-write, and Haven sends read-write connections to the primary.
CREATE TABLE notes (
    id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    text       VARCHAR(500) NOT NULL,
    created_at TIMESTAMP(6) NOT NULL
) ENGINE = InnoDB;

CREATE TABLE orders (
    id         BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    item       VARCHAR(100) NOT NULL,
    quantity   INT          NOT NULL,
    status     VARCHAR(16)  NOT NULL,
    created_at TIMESTAMP(6) NOT NULL,
    KEY orders_status (status)
) ENGINE = InnoDB;
