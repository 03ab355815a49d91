package dev.lathe.cli;

import dev.lathe.core.pipeline.ProgressListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Shows the progress of long work (pipeline steps, validation, benchmarks) on stderr, never on stdout, so
 * that {@code --json} output stays parseable. On a terminal it redraws one line in place ({@code \r}): the
 * task, a bar with the percentage, the count and the time left once the task reports how much of a known
 * total is done, and the seconds elapsed, refreshed while the task runs; the line is erased when the task
 * ends. Elsewhere it logs plain lines, {@code lathe: <task>...}, at most every {@value #LINE_EVERY_SECONDS}
 * seconds {@code lathe: <task> 37/113 (33 %), 52 s left}, and {@code lathe: <task> done in 1.2 s}. Time left
 * assumes the remaining units take as long as the finished ones did on average. Silent, it shows nothing. Close it
 * when the work is done: that stops the refresh and erases a line left drawn.
 */
final class ProgressPrinter implements ProgressListener, AutoCloseable {
    private static final long REFRESH_MILLIS = 200;
    private static final int BAR_WIDTH = 20;
    private static final int DEFAULT_COLUMNS = 80;
    private static final long LINE_EVERY_SECONDS = 10;

    /** How progress is shown. */
    enum Mode {
        /** One line redrawn in place, for a terminal. */
        TERMINAL,
        /** A plain line when a task starts and when it ends, for logs and pipes. */
        LINES,
        /** Nothing. */
        SILENT
    }

    private final PrintWriter err;
    private final Mode mode;
    private final LongSupplier nanoClock;
    private final int columns;
    private final Deque<Task> tasks = new ArrayDeque<>();
    private final ScheduledExecutorService refresher;
    private int drawnWidth;

    /** A task that has started and not yet finished. */
    private static final class Task {
        private final String name;
        private final long startNanos;
        private long done;
        private long total;
        private boolean counted;
        private long lastLineNanos;

        Task(String name, long startNanos, long total) {
            this.name = name;
            this.startNanos = startNanos;
            this.total = total;
            this.lastLineNanos = startNanos;
        }
    }

    /**
     * A printer in the given mode.
     *
     * @param err       where to write (stderr)
     * @param mode      how to show progress
     * @param nanoClock the clock that times tasks, in nanoseconds ({@link System#nanoTime} but in tests)
     * @param columns   the width of the terminal line
     * @param refresh   whether a terminal line is redrawn every {@value #REFRESH_MILLIS} ms while a task runs
     */
    ProgressPrinter(PrintWriter err, Mode mode, LongSupplier nanoClock, int columns, boolean refresh) {
        this.err = err;
        this.mode = mode;
        this.nanoClock = nanoClock;
        this.columns = columns;
        if (mode == Mode.TERMINAL && refresh) {
            refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "lathe-progress");
                thread.setDaemon(true);
                return thread;
            });
            refresher.scheduleAtFixedRate(this::redraw, REFRESH_MILLIS, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            refresher = null;
        }
    }

    /**
     * The printer for stderr: silent when {@code quiet}, a redrawn line when this process has a console
     * and stderr is a terminal, plain lines otherwise.
     */
    static ProgressPrinter forStderr(PrintWriter err, boolean quiet) {
        Mode mode = quiet ? Mode.SILENT : stderrIsTerminal() ? Mode.TERMINAL : Mode.LINES;
        return new ProgressPrinter(err, mode, System::nanoTime, terminalColumns(), true);
    }

    @Override
    public synchronized void started(String task, long total) {
        if (mode == Mode.SILENT) {
            return;
        }
        tasks.push(new Task(task, nanoClock.getAsLong(), total));
        if (mode == Mode.LINES) {
            err.println("lathe: " + task + "...");
            err.flush();
        } else {
            draw();
        }
    }

    @Override
    public synchronized void progressed(String task, long done, long total) {
        Task running = find(task);
        if (running == null) {
            return;
        }
        running.done = done;
        running.total = total;
        running.counted = true;
        if (mode == Mode.TERMINAL) {
            draw();
        } else if (mode == Mode.LINES && total > 0 && nanoClock.getAsLong() - running.lastLineNanos >= LINE_EVERY_SECONDS * 1_000_000_000L) {
            running.lastLineNanos = nanoClock.getAsLong();
            err.println("lathe: " + task + " " + count(running));
            err.flush();
        }
    }

    @Override
    public synchronized void finished(String task) {
        Task running = find(task);
        if (running == null) {
            return;
        }
        tasks.remove(running);
        if (mode == Mode.LINES) {
            err.println("lathe: " + task + " done in " + seconds(running));
            err.flush();
        } else {
            draw();
        }
    }

    /** Stops redrawing and erases the line left drawn, if any. */
    @Override
    public synchronized void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
        tasks.clear();
        if (mode == Mode.TERMINAL) {
            draw();
        }
    }

    private synchronized void redraw() {
        if (!tasks.isEmpty()) {
            draw();
        }
    }

    /** Draws the innermost running task over the current line, or erases the line when none runs. */
    private void draw() {
        String line = tasks.isEmpty() ? "" : describe(tasks.peek());
        if (line.length() > columns - 1) {
            line = line.substring(0, columns - 1);
        }
        if (line.isEmpty() && drawnWidth == 0) {
            return;
        }
        err.print("\r" + line + " ".repeat(Math.max(0, drawnWidth - line.length())) + (line.isEmpty() ? "\r" : ""));
        err.flush();
        drawnWidth = line.length();
    }

    private String describe(Task task) {
        StringBuilder line = new StringBuilder("lathe: ").append(task.name).append(' ');
        if (task.counted && task.total > 0) {
            double fraction = Math.min(1, Math.max(0, (double) task.done / task.total));
            int filled = (int) Math.round(fraction * BAR_WIDTH);
            line.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d %% ", Math.round(fraction * 100)))
                    .append(task.done).append('/').append(task.total).append(left(task)).append(", ");
        }
        return line.append(seconds(task)).toString();
    }

    /** "37/113 (33 %), 52 s left" for a line. */
    private String count(Task task) {
        long percent = Math.round(100.0 * Math.min(1, Math.max(0, (double) task.done / task.total)));
        return task.done + "/" + task.total + " (" + percent + " %)" + left(task);
    }

    /** ", 52 s left" once a unit is done, else "". */
    private String left(Task task) {
        if (task.done <= 0 || task.done >= task.total) {
            return "";
        }
        double elapsed = (nanoClock.getAsLong() - task.startNanos) / 1e9;
        long seconds = Math.round(elapsed / task.done * (task.total - task.done));
        return seconds >= 120 ? ", " + Math.round(seconds / 60.0) + " min left" : ", " + seconds + " s left";
    }

    private Task find(String name) {
        for (Task task : tasks) {
            if (task.name.equals(name)) {
                return task;
            }
        }
        return null;
    }

    private String seconds(Task task) {
        return String.format(Locale.ROOT, "%.1f s", (nanoClock.getAsLong() - task.startNanos) / 1e9);
    }

    /**
     * Whether stderr is a terminal: the process has a console (so stdin and stdout are terminals), the
     * terminal is not "dumb", and, where Linux tells, file descriptor 2 is a terminal device too.
     */
    private static boolean stderrIsTerminal() {
        if (System.console() == null || "dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        Path stderr = Path.of("/proc/self/fd/2");
        if (!Files.isSymbolicLink(stderr)) {
            return true;
        }
        try {
            String device = Files.readSymbolicLink(stderr).toString();
            return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty");
        } catch (IOException | SecurityException e) {
            return true;
        }
    }

    /** The terminal width from {@code COLUMNS} when the shell exports it, else 80. */
    private static int terminalColumns() {
        try {
            int columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", ""));
            return columns > 20 ? columns : DEFAULT_COLUMNS;
        } catch (NumberFormatException e) {
            return DEFAULT_COLUMNS;
        }
    }
}
