package dev.haven.spring.slices;

import dev.haven.spring.jpa.Item;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.boot.persistence.autoconfigure.EntityScan;

/** The configuration Spring Boot's test slices find for {@link TestSlicesIT}; the entities of the JPA tests. */
@SpringBootConfiguration
@AutoConfigurationPackage(basePackageClasses = Item.class)
@EntityScan(basePackageClasses = Item.class)
public class SliceApplication {
}
