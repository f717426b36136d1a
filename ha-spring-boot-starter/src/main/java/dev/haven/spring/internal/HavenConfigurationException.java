package dev.haven.spring.internal;

/**
 * Haven's configuration in the Spring environment is not valid: a {@code haven.*} property, a
 * {@code spring.datasource.hikari.*} property, {@code spring.datasource.url}, or settings that contradict each
 * other. Carries what the failure analysis shows; never a password.
 */
public final class HavenConfigurationException extends RuntimeException {

    private final String property;
    private final String value;
    private final String origin;
    private final String reason;
    private final String action;

    /**
     * @param property the property at fault, {@code null} when several or the URL are
     * @param value    the value as written, already masked if secret; {@code null} when not about one value
     * @param origin   where the value was written (a file and line), {@code null} if unknown
     * @param reason   what is wrong and what is allowed
     * @param action   what to do
     */
    public HavenConfigurationException(String property, String value, String origin, String reason, String action,
            Throwable cause) {
        super(describe(property, value, reason), cause);
        this.property = property;
        this.value = value;
        this.origin = origin;
        this.reason = reason;
        this.action = action;
    }

    private static String describe(String property, String value, String reason) {
        return property == null ? reason : property + (value == null ? "" : " = '" + value + "'") + ": " + reason;
    }

    /** The property at fault, {@code null} when it is not one property. */
    public String property() {
        return property;
    }

    /** The value as written (masked when secret), {@code null} if not about one value. */
    public String value() {
        return value;
    }

    /** Where the value was written, {@code null} if unknown. */
    public String origin() {
        return origin;
    }

    public String reason() {
        return reason;
    }

    public String action() {
        return action;
    }
}
