package dev.lathe.core.footprint;

/** How the shapes behind a footprint's MAC counts were found. */
public enum ShapeMethod {
    /** Propagated statically through the graph, no model run needed. */
    STATIC,
    /** Static propagation got stuck; shapes were read off one ONNX Runtime run on generated inputs. */
    RUNTIME,
    /**
     * Static propagation got stuck and the runtime fallback failed too: the nodes whose shapes stayed
     * unknown are not counted, so MACs are a lower bound, not a figure ({@link Footprint#complete()} is false).
     */
    INCOMPLETE
}
