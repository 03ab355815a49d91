package dev.lathe.core.provider;

/**
 * Whether an execution provider can be used here.
 *
 * @param name      the provider's name ("cpu", "cuda", ...)
 * @param available compiled into the ONNX Runtime on the classpath AND addable to a session
 * @param reason    why not, in words a user can act on (empty when available)
 */
public record ProviderAvailability(String name, boolean available, String reason) {

    /** An available provider. */
    public static ProviderAvailability available(String name) {
        return new ProviderAvailability(name, true, "");
    }

    /** An unavailable provider and the reason. */
    public static ProviderAvailability unavailable(String name, String reason) {
        return new ProviderAvailability(name, false, reason);
    }
}
