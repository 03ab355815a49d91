package dev.lathe.cli;

import static dev.lathe.cli.TextTable.row;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.core.provider.ProviderAvailability;
import dev.lathe.core.provider.ProviderCatalog;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lathe providers}: every execution provider Lathe knows, whether the ONNX Runtime on the class
 * path can use it here and, when it cannot, why. As JSON: {@code {"providers": [{"name", "available",
 * "reason"}, ...]}}.
 */
@Command(name = "providers",
        description = "List the execution providers and whether they can be used here (and if not, why).")
final class ProvidersCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print a JSON object instead of a table.")
    private boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        List<ProviderAvailability> providers = ProviderCatalog.system().all();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.render(toJson(providers)));
        } else {
            out.print(table(providers));
        }
        out.flush();
        return 0;
    }

    private static ObjectNode toJson(List<ProviderAvailability> providers) {
        ObjectNode json = Json.object();
        ArrayNode list = json.putArray("providers");
        for (ProviderAvailability provider : providers) {
            list.addObject().put("name", provider.name()).put("available", provider.available())
                    .put("reason", provider.reason());
        }
        return json;
    }

    private static String table(List<ProviderAvailability> providers) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("Provider", "Available", "Reason"));
        for (ProviderAvailability provider : providers) {
            rows.add(row(provider.name(), provider.available() ? "yes" : "no", provider.reason()));
        }
        StringBuilder text = new StringBuilder();
        TextTable.appendAligned(text, "", rows, false);
        return text.toString();
    }
}
