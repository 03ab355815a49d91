package dev.lathe.tensorflow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * The nodes of a TensorFlow GraphDef by name, and the part of the graph a set of outputs depends on. Data
 * inputs are named {@code node} or {@code node:index}; control inputs ({@code ^node}) only order execution
 * and are not followed, so initializers and save/restore machinery stay out of an inference graph.
 */
public final class GraphNodes {
    private final Map<String, NodeDef> byName = new HashMap<>();

    private GraphNodes(GraphDef graph) {
        for (NodeDef node : graph.getNodeList()) {
            byName.put(node.getName(), node);
        }
    }

    /** Indexes a graph's nodes. */
    public static GraphNodes of(GraphDef graph) {
        return new GraphNodes(graph);
    }

    /**
     * The nodes the given tensors ({@code node:index}) depend on through data inputs, each after its
     * inputs (a topological order).
     *
     * @throws IllegalArgumentException if a tensor or input names a node the graph lacks, or the graph has a
     *                                  cycle through data inputs (TensorFlow 1 while loops)
     */
    public List<NodeDef> reachable(Collection<String> tensorNames) {
        List<NodeDef> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        Set<String> onPath = new HashSet<>();
        for (String tensor : tensorNames) {
            Deque<Object[]> stack = new ArrayDeque<>();
            String start = nodeName(tensor);
            if (!byName.containsKey(start)) {
                throw new IllegalArgumentException("the graph has no node '" + start + "' (named by " + tensor + ")");
            }
            if (done.contains(start)) {
                continue;
            }
            stack.push(new Object[] {byName.get(start), 0});
            onPath.add(start);
            while (!stack.isEmpty()) {
                Object[] frame = stack.peek();
                NodeDef node = (NodeDef) frame[0];
                int next = (int) frame[1];
                List<String> inputs = dataInputs(node);
                if (next < inputs.size()) {
                    frame[1] = next + 1;
                    String input = nodeName(inputs.get(next));
                    NodeDef producer = byName.get(input);
                    if (producer == null) {
                        throw new IllegalArgumentException("node '" + node.getName() + "' reads '" + inputs.get(next)
                                + "', which no node produces");
                    }
                    if (onPath.contains(input)) {
                        throw new IllegalArgumentException("the graph has a cycle through node '" + input
                                + "' (a TensorFlow 1 while loop?); cyclic graphs are not supported");
                    }
                    if (!done.contains(input)) {
                        onPath.add(input);
                        stack.push(new Object[] {producer, 0});
                    }
                } else {
                    stack.pop();
                    onPath.remove(node.getName());
                    done.add(node.getName());
                    order.add(node);
                }
            }
        }
        return order;
    }

    /** A node's data inputs, without its control inputs. */
    public static List<String> dataInputs(NodeDef node) {
        return node.getInputList().stream().filter(input -> !input.startsWith("^")).toList();
    }

    /** The node part of an input or tensor name: {@code a/b} of {@code a/b:1}, {@code ^a/b} or {@code a/b}. */
    public static String nodeName(String input) {
        String name = input.startsWith("^") ? input.substring(1) : input;
        int colon = name.lastIndexOf(':');
        return colon < 0 ? name : name.substring(0, colon);
    }

    /** The output index of an input or tensor name: 1 of {@code a:1}, 0 of {@code a}. */
    public static int outputIndex(String input) {
        int colon = input.lastIndexOf(':');
        return colon < 0 ? 0 : Integer.parseInt(input.substring(colon + 1));
    }

    /** The canonical tensor name {@code node:index} of an input name. */
    public static String tensorName(String input) {
        return nodeName(input) + ":" + outputIndex(input);
    }
}
