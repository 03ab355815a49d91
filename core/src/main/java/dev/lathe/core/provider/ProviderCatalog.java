package dev.lathe.core.provider;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which execution providers can be used. {@link #system()} asks the ONNX Runtime on the classpath: a
 * provider is available when it is compiled in ({@code OrtEnvironment.getAvailableProviders()}) and can
 * be added to a session (which loads its native libraries). {@link #of(Map)} gives a fixed table, for
 * tests of selection logic.
 */
public interface ProviderCatalog {

    /** The availability of one provider. */
    ProviderAvailability availability(Provider provider);

    /** The availability of every provider Lathe knows, in {@link Provider} order. */
    default List<ProviderAvailability> all() {
        List<ProviderAvailability> all = new ArrayList<>();
        for (Provider provider : Provider.values()) {
            all.add(availability(provider));
        }
        return all;
    }

    /** A fixed table; providers missing from it are unavailable ("not in the table"). */
    static ProviderCatalog of(Map<Provider, ProviderAvailability> table) {
        Map<Provider, ProviderAvailability> copy = new EnumMap<>(Provider.class);
        copy.putAll(table);
        return provider -> copy.getOrDefault(provider,
                ProviderAvailability.unavailable(provider.cliName(), "not in the availability table"));
    }

    /** The providers of the ONNX Runtime on the classpath, probed once per process. */
    static ProviderCatalog system() {
        return SystemProviders.INSTANCE;
    }

    /** Probes ONNX Runtime once; the result does not change while the process runs. */
    final class SystemProviders implements ProviderCatalog {
        static final SystemProviders INSTANCE = new SystemProviders();
        private final Map<Provider, ProviderAvailability> table = new EnumMap<>(Provider.class);

        private SystemProviders() {
            EnumSet<OrtProvider> compiled = OrtEnvironment.getAvailableProviders();
            for (Provider provider : Provider.values()) {
                table.put(provider, probe(provider, compiled.contains(provider.ort())));
            }
        }

        @Override
        public ProviderAvailability availability(Provider provider) {
            return table.get(provider);
        }

        private static ProviderAvailability probe(Provider provider, boolean compiledIn) {
            String name = provider.cliName();
            if (!compiledIn) {
                String hint = provider == Provider.CUDA || provider == Provider.TENSORRT
                        ? ": add com.microsoft.onnxruntime:onnxruntime_gpu in place of onnxruntime" : "";
                return ProviderAvailability.unavailable(name, "not in this ONNX Runtime build" + hint);
            }
            try (SessionOptions options = new SessionOptions()) {
                ProviderOptions.addProvider(options, ProviderConfig.defaults(provider), new ModelPrecision(false, false));
                return ProviderAvailability.available(name);
            } catch (OrtException | RuntimeException e) {
                String libraries = switch (provider) {
                    case CUDA -> "CUDA libraries not found (CUDA 12 and cuDNN 9 are needed)";
                    case TENSORRT -> "TensorRT libraries not found (TensorRT, CUDA 12 and cuDNN 9 are needed)";
                    default -> provider.name().toLowerCase(Locale.ROOT) + " cannot be added to a session";
                };
                return ProviderAvailability.unavailable(name, libraries + ": " + firstLine(e.getMessage()));
            }
        }

        private static String firstLine(String message) {
            if (message == null) {
                return "no details";
            }
            int newline = message.indexOf('\n');
            return newline < 0 ? message : message.substring(0, newline);
        }
    }
}
