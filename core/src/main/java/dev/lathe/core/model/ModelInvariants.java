package dev.lathe.core.model;

import dev.lathe.core.onnx.Onnx.NodeProto;
import dev.lathe.core.onnx.Onnx.TensorProto;
import dev.lathe.core.onnx.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The graph invariants every model Lathe reads or writes must hold, in the main graph and every
 * subgraph: nodes form no cycle, each value is produced once, every value a node reads is defined (in
 * its graph or an enclosing one), and every graph output is defined. {@link #violations} also requires
 * unique, non-empty node names, which {@link ModelEditor} guarantees for what it builds; real exports
 * often lack them, so loading does not.
 */
public final class ModelInvariants {
    private ModelInvariants() {
    }

    /** Violations of the structural invariants, one readable line each; empty when the graph is sound. */
    public static List<String> structuralViolations(Graph main) {
        List<String> violations = new ArrayList<>();
        if (main.proto().getOutputCount() == 0) {
            violations.add("the main graph declares no outputs, so the model computes nothing");
        }
        check(main, Set.of(), violations);
        return violations;
    }

    /** Structural violations plus missing or duplicate node names. */
    public static List<String> violations(Graph main) {
        List<String> violations = structuralViolations(main);
        Set<String> names = new HashSet<>();
        for (Graph graph : main.withAllSubgraphs()) {
            for (NodeProto node : graph.proto().getNodeList()) {
                if (node.getName().isEmpty()) {
                    violations.add(where(graph) + "a " + node.getOpType() + " node producing " + node.getOutputList()
                            + " has no name");
                } else if (!names.add(node.getName())) {
                    violations.add(where(graph) + "node name '" + node.getName() + "' is used more than once");
                }
            }
        }
        return violations;
    }

    private static void check(Graph graph, Set<String> outerScope, List<String> violations) {
        Set<String> defined = new HashSet<>();
        for (ValueInfoProto input : graph.proto().getInputList()) {
            if (!defined.add(input.getName())) {
                violations.add(where(graph) + "graph input '" + input.getName() + "' is declared more than once");
            }
        }
        Set<String> initializerNames = new HashSet<>();
        for (TensorProto initializer : graph.proto().getInitializerList()) {
            if (!initializerNames.add(initializer.getName())) {
                violations.add(where(graph) + "initializer '" + initializer.getName() + "' is defined more than once");
            }
        }
        defined.addAll(initializerNames);
        for (NodeProto node : graph.proto().getNodeList()) {
            for (String output : node.getOutputList()) {
                if (!output.isEmpty() && !defined.add(output)) {
                    violations.add(where(graph) + "value '" + output + "' is produced more than once (again by node "
                            + label(node) + ")");
                }
            }
        }
        Set<String> visible = new HashSet<>(outerScope);
        visible.addAll(defined);
        for (NodeProto node : graph.proto().getNodeList()) {
            for (String input : node.getInputList()) {
                if (!input.isEmpty() && !visible.contains(input)) {
                    violations.add(where(graph) + "node " + label(node) + " reads undefined value '" + input + "'");
                }
            }
            for (Graph subgraph : graph.subgraphs(node)) {
                check(subgraph, visible, violations);
            }
        }
        for (ValueInfoProto output : graph.proto().getOutputList()) {
            if (!visible.contains(output.getName())) {
                violations.add(where(graph) + "graph output '" + output.getName() + "' is never produced");
            }
        }
        if (graph.isCyclic()) {
            violations.add(where(graph) + "nodes form a cycle");
        }
    }

    private static String where(Graph graph) {
        return graph.path().isEmpty() ? "" : "subgraph " + graph.path() + ": ";
    }

    static String label(NodeProto node) {
        return node.getName().isEmpty() ? node.getOpType() + " (unnamed, output " + node.getOutputList() + ")"
                : "'" + node.getName() + "' (" + node.getOpType() + ")";
    }
}
