package org.crmsync.examples;

import java.io.PrintStream;
import java.util.Locale;
import org.crmsync.spi.ConfigKey;
import org.crmsync.spi.ConnectorProvider;
import org.crmsync.spi.ConnectorRegistry;

/** Lists the connectors found on the class path through {@code ServiceLoader}, with their config keys. */
public final class ListConnectors {
    private ListConnectors() {
    }

    public static void main(String[] args) {
        print(ConnectorRegistry.load(), System.out);
    }

    static void print(ConnectorRegistry registry, PrintStream out) {
        out.println("connectors on the class path: " + registry.ids());
        for (ConnectorProvider p : registry.providers()) {
            out.println();
            out.println(p.id() + " (" + p.displayName() + ")");
            for (ConfigKey k : p.configKeys()) {
                out.printf(Locale.ROOT, "  %-24s %-8s %-9s %s%s%n", k.name(), k.type(),
                        k.required() ? "required" : "optional", k.secret() ? "[secret] " : "",
                        k.doc() + k.defaultValue().map(d -> " (default " + d + ")").orElse(""));
            }
        }
    }
}
