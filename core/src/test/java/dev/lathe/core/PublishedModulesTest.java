package dev.lathe.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM stays in step with the build: {@code lathe-bom} has no parent (so it cannot inherit the module list or
 * the version), and a module added to the parent but forgotten in the BOM would reach users at whatever version
 * their build happens to resolve.
 */
class PublishedModulesTest {
    /** The repository root: tests run in the core module's folder. */
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theBomManagesExactlyThePublishedModulesAtTheParentsVersion() throws Exception {
        Document parent = read(ROOT.resolve("pom.xml"));
        Document bom = read(ROOT.resolve("bom/pom.xml"));

        Set<String> published = new TreeSet<>();
        for (String module : texts(parent.getDocumentElement(), "modules", "module")) {
            Document pom = read(ROOT.resolve(module).resolve("pom.xml"));
            String artifactId = child(pom.getDocumentElement(), "artifactId");
            boolean notDeployed = "true".equals(child(child(pom.getDocumentElement(), "properties", false), "maven.deploy.skip"));
            if (!artifactId.equals("lathe-bom") && !notDeployed) {
                published.add(artifactId);
            }
        }
        Set<String> managed = new TreeSet<>();
        Element dependencies = childElement(childElement(bom.getDocumentElement(), "dependencyManagement"), "dependencies");
        for (Element dependency : elements(dependencies, "dependency")) {
            assertThat(child(dependency, "groupId")).isEqualTo("dev.lathe");
            assertThat(child(dependency, "version")).isEqualTo("${project.version}");
            managed.add(child(dependency, "artifactId"));
        }

        assertThat(published).contains("lathe-core", "lathe-quantize", "lathe-cli");
        assertThat(managed).as("lathe-bom's dependencyManagement").isEqualTo(published);
        assertThat(child(bom.getDocumentElement(), "version")).as("lathe-bom's version")
                .isEqualTo(child(parent.getDocumentElement(), "version"));
        assertThat(child(childElement(bom.getDocumentElement(), "properties"), "project.build.outputTimestamp"))
                .as("lathe-bom's outputTimestamp")
                .isEqualTo(child(childElement(parent.getDocumentElement(), "properties"), "project.build.outputTimestamp"));
    }

    private static Document read(Path pom) throws Exception {
        assertThat(pom).exists();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        try (var in = Files.newInputStream(pom)) {
            return factory.newDocumentBuilder().parse(in);
        }
    }

    /** The direct child elements of {@code parent} named {@code name}. */
    private static List<Element> elements(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node node = children.item(i);
            if (node instanceof Element element && element.getTagName().equals(name)) {
                found.add(element);
            }
        }
        return found;
    }

    private static Element childElement(Element parent, String name) {
        return child(parent, name, true);
    }

    private static Element child(Element parent, String name, boolean required) {
        List<Element> found = parent == null ? List.of() : elements(parent, name);
        assertThat(found.size() <= 1).as("one <%s>", name).isTrue();
        if (found.isEmpty()) {
            assertThat(required).as("<%s> present", name).isFalse();
            return null;
        }
        return found.get(0);
    }

    /** The text of the direct child {@code name}, or null when there is none (or no parent). */
    private static String child(Element parent, String name) {
        Element element = child(parent, name, false);
        return element == null ? null : element.getTextContent().trim();
    }

    private static List<String> texts(Element root, String list, String item) {
        return elements(childElement(root, list), item).stream().map(e -> e.getTextContent().trim()).toList();
    }
}
