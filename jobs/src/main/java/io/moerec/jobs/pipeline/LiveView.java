package io.moerec.jobs.pipeline;

import java.io.PrintWriter;
import java.util.Map;

/**
 * Prints {@link LiveConsoleView} blocks: on a terminal each block replaces the previous one in place
 * (ANSI cursor movement), otherwise blocks follow each other as plain text.
 */
final class LiveView {

    private final PrintWriter out;
    private final boolean terminal;
    private final Map<Long, String> titles;
    private final long toReplay;
    private int linesShown;

    LiveView(PrintWriter out, boolean terminal, Map<Long, String> titles, long toReplay) {
        this.out = out;
        this.terminal = terminal;
        this.titles = titles;
        this.toReplay = toReplay;
    }

    synchronized void show(LiveSnapshot s, long replayed) {
        String block = LiveConsoleView.render(s, replayed, toReplay, id -> titles.getOrDefault(id, "movie " + id));
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
