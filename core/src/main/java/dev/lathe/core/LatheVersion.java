package dev.lathe.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of Lathe on the class path, as Maven built it. */
public final class LatheVersion {
    private static final String VERSION = read();

    private LatheVersion() {
    }

    /** The version, such as {@code 0.1.0-SNAPSHOT}; "unknown" when not built by Maven. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = LatheVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", "unknown");
            return version.startsWith("${") ? "unknown" : version;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
