package io.moerec.moe.lifecycle;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.moerec.moe.MoeModel;
import io.moerec.moe.bundle.ModelBundle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A directory of model bundles with their reports and one committed {@link StoreState}:
 * <pre>
 *   state.json                      the serving entry, the trainer's input position
 *   000007-moe-&lt;hash&gt;/bundle/      a complete, verified-on-load {@link ModelBundle}
 *   000007-moe-&lt;hash&gt;/report.json  its {@link CycleReport}
 *   .tmp-*                          work in progress, never an entry ({@link #removeLeftovers})
 * </pre>
 * Every change is made out of sight and renamed into place (an entry directory, {@code state.json}),
 * so a process killed at any moment leaves either the old or the new entry and state, never half of
 * one. State changes take a file lock, so that the trainer and the {@code moerec model} commands can
 * change the store at the same time.
 */
public final class ModelStore {

    public static final String STATE = "state.json";
    public static final String REPORT = "report.json";
    public static final String BUNDLE = "bundle";
    private static final String TEMP_PREFIX = ".tmp-";
    private static final String LOCK = ".lock";
    private static final Pattern ENTRY = Pattern.compile("(\\d{6,})-(.+)");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One complete entry: its directory name, sequence, bundle version, bundle directory and report. */
    public record Entry(String name, long sequence, String version, Path bundle, CycleReport report) {
    }

    private final Path dir;

    private ModelStore(Path dir) {
        this.dir = dir;
    }

    /** Opens (creating if needed) the store in {@code dir}. */
    public static ModelStore open(Path dir) {
        try {
            Files.createDirectories(dir);
            return new ModelStore(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the model store " + dir, e);
        }
    }

    /**
     * Removes what interrupted changes left behind (temporary directories and files); for the one
     * process that writes models into the store, at its start. Returns how many there were.
     */
    public int removeLeftovers() {
        int n = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    deleteRecursively(p);
                    n++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean the model store " + dir, e);
        }
        return n;
    }

    public Path dir() {
        return dir;
    }

    /** Complete entries, oldest first. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Matcher m = ENTRY.matcher(p.getFileName().toString());
                if (m.matches() && Files.isRegularFile(p.resolve(REPORT)) && Files.isRegularFile(p.resolve(BUNDLE).resolve(ModelBundle.MANIFEST))) {
                    out.add(new Entry(p.getFileName().toString(), Long.parseLong(m.group(1)), m.group(2), p.resolve(BUNDLE),
                            JSON.readValue(p.resolve(REPORT).toFile(), CycleReport.class)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the model store " + dir, e);
        }
        out.sort(Comparator.comparingLong(Entry::sequence));
        return out;
    }

    public Optional<Entry> entry(String name) {
        return entries().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The serving entry, if the state names one that exists. */
    public Optional<Entry> serving() {
        String name = state().serving();
        return name == null ? Optional.empty() : entry(name);
    }

    /** The committed state ({@link StoreState#empty()} before the first commit). */
    public StoreState state() {
        Path f = dir.resolve(STATE);
        if (!Files.exists(f)) {
            return StoreState.empty();
        }
        try {
            return JSON.readValue(f.toFile(), StoreState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    /** Applies {@code change} to the committed state under the store's lock and commits the result atomically. */
    public StoreState update(UnaryOperator<StoreState> change) {
        // The file lock keeps other processes out; one JVM may not take it twice, so its threads queue here.
        synchronized (ModelStore.class) {
            try (FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = ch.lock();
                try {
                    StoreState next = change.apply(state());
                    Path tmp = dir.resolve(TEMP_PREFIX + UUID.randomUUID() + "-" + STATE);
                    try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        out.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(next)));
                        out.force(true);
                    }
                    moveIntoPlace(tmp, dir.resolve(STATE));
                    return next;
                } finally {
                    lock.release();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot commit the state of the model store " + dir, e);
            }
        }
    }

    /**
     * Saves {@code model} as a new entry with {@code report} (renumbered with the entry's sequence and
     * the bundle's version): written under a temporary name, then renamed into place.
     */
    public Entry add(MoeModel model, CycleReport report) {
        return addWith(report, bundleDir -> ModelBundle.save(model, bundleDir));
    }

    /**
     * Copies an existing bundle directory into the store as a new entry (its bundle is verified first,
     * so a broken one is refused before anything is written).
     */
    public Entry importBundle(Path bundleDir, CycleReport report) {
        String version = ModelBundle.load(bundleDir).version();
        return addWith(report, target -> {
            copyRecursively(bundleDir, target);
            return version;
        });
    }

    private interface BundleWriter {
        String write(Path bundleDir) throws IOException;
    }

    private Entry addWith(CycleReport report, BundleWriter writer) {
        Path tmp = dir.resolve(TEMP_PREFIX + UUID.randomUUID());
        try {
            Files.createDirectories(tmp);
            String version = writer.write(tmp.resolve(BUNDLE));
            long seq = nextSequence();
            CycleReport numbered = report.numbered(seq, version);
            Files.write(tmp.resolve(REPORT), JSON.writeValueAsBytes(numbered));
            String name = String.format(java.util.Locale.ROOT, "%06d-%s", seq, version);
            moveIntoPlace(tmp, dir.resolve(name));
            return new Entry(name, seq, version, dir.resolve(name).resolve(BUNDLE), numbered);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot add a model to the store " + dir, e);
        } finally {
            if (Files.exists(tmp)) {
                try {
                    deleteRecursively(tmp);
                } catch (IOException ignored) {
                    // open() removes it next time
                }
            }
        }
    }

    private long nextSequence() {
        return entries().stream().mapToLong(Entry::sequence).max().orElse(0) + 1;
    }

    /**
     * Deletes the oldest entries until at most {@code keep} remain, never the serving one (which then
     * counts as one of the {@code keep}). An entry is renamed out of sight before it is deleted.
     * Returns the names deleted.
     */
    public List<String> retain(int keep) {
        if (keep < 1) {
            throw new IllegalArgumentException("the store keeps at least one model: " + keep);
        }
        String serving = state().serving();
        List<Entry> all = entries();
        List<String> deleted = new ArrayList<>();
        int excess = all.size() - keep;
        for (Entry e : all) {
            if (excess <= 0) {
                break;
            }
            if (e.name().equals(serving)) {
                continue;
            }
            try {
                Path gone = dir.resolve(TEMP_PREFIX + "deleted-" + e.name());
                moveIntoPlace(dir.resolve(e.name()), gone);
                deleteRecursively(gone);
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot delete " + e.name() + " from the model store " + dir, ex);
            }
            deleted.add(e.name());
            excess--;
        }
        return deleted;
    }

    /**
     * The entry a rollback goes to: {@code version} (an entry name or a bundle version) if given,
     * otherwise the newest announced entry older than the serving one.
     */
    public Entry rollbackTarget(Optional<String> version) {
        List<Entry> all = entries();
        if (version.isPresent()) {
            String v = version.get();
            return all.stream().filter(e -> e.name().equals(v) || e.version().equals(v)).reduce((a, b) -> b)
                    .orElseThrow(() -> new IllegalArgumentException("no model " + v + " in the store " + dir));
        }
        Entry serving = serving().orElseThrow(() -> new IllegalArgumentException("no model is serving from the store " + dir));
        Entry target = null;
        for (Entry e : all) {
            if (e.sequence() < serving.sequence() && e.report().announced() && !e.version().equals(serving.version())) {
                target = e;
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("no announced model older than the serving " + serving.name() + " in " + dir);
        }
        return target;
    }

    private static void moveIntoPlace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to.getParent() + " cannot rename atomically", e);
        }
    }

    private static void copyRecursively(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
