package dev.haven.samples.drill;

/**
 * The passwords of the {@code --url} mode, read from the environment variables the command line names (never from
 * the command line itself). Never printed.
 *
 * @param password      the application user's, or null
 * @param adminPassword the admin user's, or null
 */
record Passwords(String password, String adminPassword) {

    static final Passwords NONE = new Passwords(null, null);

    /** Reads the variables {@code external} names; refuses a named variable that is not set. */
    static Passwords fromEnvironment(DrillOptions.External external) {
        if (external == null) {
            return NONE;
        }
        return new Passwords(variable("--password-env", external.passwordEnv()),
                variable("--admin-password-env", external.adminPasswordEnv()));
    }

    private static String variable(String option, String name) {
        if (name == null) {
            return null;
        }
        String value = System.getenv(name);
        if (value == null) {
            throw new IllegalArgumentException(option + ": the environment variable '" + name + "' is not set");
        }
        return value;
    }

    @Override
    public String toString() {
        return "Passwords[****]";
    }
}
