package io.vnetd.it.reliability;

/**
 * The reliability tier's two sizes: short in the normal suite, long with {@code -Dvnetd.reliability.soak=true}
 * (see docs/reliability.md), and the seed every random choice starts from ({@code -Dvnetd.reliability.seed=N}
 * repeats a run).
 */
final class Soak {

    static final boolean ON = Boolean.getBoolean("vnetd.reliability.soak");

    private Soak() {
    }

    /** {@code soak} when the soak is on, else {@code ci}. */
    static int size(int ci, int soak) {
        return ON ? soak : ci;
    }

    /** The run's seed: the one given, or a new one; the caller prints it. */
    static long seed() {
        String given = System.getProperty("vnetd.reliability.seed", "");
        return given.isBlank() ? System.nanoTime() : Long.parseLong(given.trim());
    }

    /** One line of figures, in a form that is easy to find in the test output. */
    static void print(String test, String figures) {
        System.out.println("[reliability] " + test + ": " + figures);
    }
}
