package io.moerec.moe.bundle;

import io.moerec.moe.model.MovieTable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/** The movie table as an array file: ids, genre bits, interaction counts, year and rating features, column by column. */
final class MovieTableCodec {

    private MovieTableCodec() {
    }

    static void write(Path f, MovieTable t) throws IOException {
        int n = t.size();
        long[] ids = new long[n];
        int[] bits = new int[n];
        long[] inter = new long[n];
        double[] year = new double[n];
        double[] rating = new double[n];
        for (int i = 0; i < n; i++) {
            ids[i] = t.movieId(i);
            bits[i] = t.genreBits(i);
            inter[i] = t.interactions(i);
            year[i] = t.yearFeature(i);
            rating[i] = t.ratingFeature(i);
        }
        try (DataOutputStream out = BinaryArrays.create(f)) {
            BinaryArrays.longs(out, ids);
            BinaryArrays.ints(out, bits);
            BinaryArrays.longs(out, inter);
            BinaryArrays.doubles(out, year);
            BinaryArrays.doubles(out, rating);
        }
    }

    static MovieTable read(Path f) throws IOException {
        String name = f.getFileName().toString();
        try (DataInputStream in = BinaryArrays.open(f)) {
            return MovieTable.of(BinaryArrays.longs(in, name), BinaryArrays.ints(in, name), BinaryArrays.longs(in, name),
                    BinaryArrays.doubles(in, name), BinaryArrays.doubles(in, name));
        }
    }
}
