package io.moerec.jobs.pipeline;

import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Function;

/**
 * Prints {@link LiveConsoleView} blocks: on a terminal each block replaces the previous one in place
 * (ANSI cursor movement), otherwise blocks follow each other as plain text.
 */
final class LiveView {

    private final PrintWriter out;
    private final boolean terminal;
    private final Map<Long, String> titles;
    private final long toReplay;
    private final Function<LiveSnapshot, String> footer;
    private int linesShown;

    LiveView(PrintWriter out, boolean terminal, Map<Long, String> titles, long toReplay) {
        this(out, terminal, titles, toReplay, s -> "");
    }

    /** @param footer lines appended to each block (each ending in a newline), or "" */
    LiveView(PrintWriter out, boolean terminal, Map<Long, String> titles, long toReplay, Function<LiveSnapshot, String> footer) {
        this.out = out;
        this.terminal = terminal;
        this.titles = titles;
        this.toReplay = toReplay;
        this.footer = footer;
    }

    synchronized void show(LiveSnapshot s, long replayed) {
        String block = LiveConsoleView.render(s, replayed, toReplay, id -> titles.getOrDefault(id, "movie " + id))
                + footer.apply(s);
        if (terminal && linesShown > 0) {
            out.print("\033[" + linesShown + "F\033[J");
        }
        out.print(block);
        if (!terminal) {
            out.println();
        }
        out.flush();
        linesShown = (int) block.chars().filter(c -> c == '\n').count();
    }
}
