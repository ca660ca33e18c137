package dev.hiringkit.testing;

import dev.hiringkit.Table;
import dev.hiringkit.internal.csv.CsvReader;
import dev.hiringkit.model.Department;
import dev.hiringkit.model.HiredEmployee;
import dev.hiringkit.model.Job;
import dev.hiringkit.model.Row;
import dev.hiringkit.validation.ReasonCode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Random hiring CSV files for the fuzz tests: valid records mixed with every kind of defect a load
 * must survive, each file with what a correct reader and load make of every record. The expectations
 * are worked out here from how each record was built, not by running the library: a record's fate
 * follows from the data rules of DESIGN.md and the recovery rules in CsvReader's class comment.
 *
 * <p>A file is built from a plan, a list of {@link Spec}s, so that a failing file can be shrunk by
 * dropping specs and building it again.
 *
 * <p>Two limits of the generator, both deliberate. A file with a stray (unclosed) quote has no quoted
 * field whose text starts with a quote, a comma or a line break: such a field would close the stray
 * cleanly and make the two one valid RFC 4180 record, which is what the file then says, not a defect
 * this generator can label record by record. And records with a framing defect are kept on one
 * physical line, so that "the record's first line" and "the record" are the same.
 *
 * <p>Each file also says whether commons-csv must read it as CsvReader does: not when it holds rows
 * joined by a bare CR, or whitespace after a closing quote, where the two differ on purpose.
 */
public final class FuzzCsv {

    private FuzzCsv() {
    }

    /** What kind of record a spec is, as far as the reader is concerned. */
    public enum Kind {
        /** The column names, skipped by a load. */
        HEADER,
        /** Well-framed fields, valid or not by the data rules. */
        ROW,
        /** A quote opened at a field's start and never closed on its line. */
        STRAY_QUOTE,
        /** Text between a field's closing quote and the next comma. */
        TEXT_AFTER_QUOTE,
        /** Bytes that are not UTF-8, or a NUL. */
        BAD_ENCODING,
        /** Two rows joined by a bare CR, a line end that is neither CRLF nor LF. */
        CR_JOINED
    }

    /**
     * One planned record.
     *
     * @param content its bytes, line end excluded
     * @param lineEnd "\n" or "\r\n" (the last record of a file takes the file's final line end instead)
     * @param blanksBefore blank lines written before it
     * @param fields the fields a reader returns for a well-framed record
     * @param fieldCodes the data rules it breaks in its fields alone (empty: none)
     * @param row the typed row when its fields are valid, else null
     * @param lenientInCommonsCsv whether commons-csv reads it although it is broken (whitespace after a closing quote)
     */
    public record Spec(Kind kind, byte[] content, String lineEnd, String blanksBefore, List<String> fields,
            Set<ReasonCode> fieldCodes, Row row, boolean lenientInCommonsCsv) {

        @Override
        public String toString() {
            return kind + " " + escape(content);
        }
    }

    /** What a correct reader and load make of one record of a built file. */
    public record Expected(long line, Kind kind, CsvReader.Problem problem, List<String> fields, boolean header,
            Set<ReasonCode> codes, Row row) {

        /** Whether a load refuses it (it is neither stored nor a skipped header). */
        public boolean rejected() {
            return !header && row == null;
        }
    }

    /** The ids each table holds before a file is loaded. */
    public record World(Set<Integer> departments, Set<Integer> jobs, Set<Integer> employees) {

        public static World empty() {
            return new World(Set.of(), Set.of(), Set.of());
        }

        public Set<Integer> ids(Table table) {
            return switch (table) {
                case DEPARTMENTS -> departments;
                case JOBS -> jobs;
                case HIRED_EMPLOYEES -> employees;
            };
        }

        /** This world after {@code added} ids were stored in {@code table}. */
        public World plus(Table table, Set<Integer> added) {
            Set<Integer> all = new HashSet<>(ids(table));
            all.addAll(added);
            return switch (table) {
                case DEPARTMENTS -> new World(all, jobs, employees);
                case JOBS -> new World(departments, all, employees);
                case HIRED_EMPLOYEES -> new World(departments, jobs, all);
            };
        }
    }

    /** How a file ends and begins, apart from its records. */
    public record Frame(boolean byteOrderMark, String finalLineEnd, String trailer) {

        @Override
        public String toString() {
            return "byte order mark " + byteOrderMark + ", final line end \"" + escape(finalLineEnd.getBytes(
                    StandardCharsets.US_ASCII)) + "\", trailer \"" + escape(trailer.getBytes(StandardCharsets.US_ASCII))
                    + "\"";
        }
    }

    /** A built file: its bytes and what must come of each record, in order. */
    public record File(Table table, List<Spec> plan, Frame frame, World world, int maxRecordBytes, byte[] bytes,
            List<Expected> records, boolean commonsCsvComparable) {

        /** The ids this file adds to its table when loaded. */
        public Set<Integer> admittedIds() {
            Set<Integer> ids = new HashSet<>();
            records.stream().filter(e -> e.row() != null).forEach(e -> ids.add(e.row().id()));
            return ids;
        }

        /** The same file built from fewer specs (for shrinking a failure). */
        public File withPlan(List<Spec> smaller) {
            return build(table, smaller, frame, world, maxRecordBytes);
        }

        public String describe() {
            StringBuilder text = new StringBuilder(table.sqlName()).append(", limit ").append(maxRecordBytes)
                    .append(", ").append(frame).append(", ").append(bytes.length).append(" bytes:\n");
            text.append(escape(bytes.length > 4000 ? Arrays.copyOf(bytes, 4000) : bytes));
            text.append(bytes.length > 4000 ? "...\n" : "\n").append("expected:\n");
            records.forEach(e -> text.append("  ").append(e).append('\n'));
            return text.toString();
        }
    }

    // ---- building a file from its plan ----------------------------------------------------------

    /** Writes the plan's records and works out what each must come to. */
    public static File build(Table table, List<Spec> plan, Frame frame, World world, int maxRecordBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (frame.byteOrderMark()) {
            out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        }
        List<Expected> records = new ArrayList<>();
        Set<Integer> admitted = new HashSet<>();
        boolean comparable = true;
        long line = 1;
        for (int i = 0; i < plan.size(); i++) {
            Spec spec = plan.get(i);
            line += write(out, spec.blanksBefore().getBytes(StandardCharsets.US_ASCII));
            long start = line;
            line += write(out, spec.content());
            line += write(out, (i == plan.size() - 1 ? frame.finalLineEnd() : spec.lineEnd())
                    .getBytes(StandardCharsets.US_ASCII));
            comparable &= spec.kind() != Kind.CR_JOINED && !spec.lenientInCommonsCsv();
            records.add(expect(table, spec, i == 0, start, maxRecordBytes, world, admitted));
        }
        boolean lineEnded = frame.finalLineEnd().endsWith("\n");
        if (lineEnded || plan.isEmpty()) {
            out.writeBytes(frame.trailer().getBytes(StandardCharsets.US_ASCII));
        }
        byte[] bytes = out.toByteArray();
        // A stray quote's text ends at the next quote; if whitespace follows that one, commons-csv skips
        // it and may read a record where RFC 4180 (and CsvReader) see text after a closing quote.
        if (plan.stream().anyMatch(s -> s.kind() == Kind.STRAY_QUOTE) && quoteThenWhitespace(bytes)) {
            comparable = false;
        }
        return new File(table, List.copyOf(plan), frame, world, maxRecordBytes, bytes, List.copyOf(records),
                comparable);
    }

    private static long write(ByteArrayOutputStream out, byte[] bytes) {
        out.writeBytes(bytes);
        long lines = 0;
        for (byte b : bytes) {
            if (b == '\n') {
                lines++;
            }
        }
        return lines;
    }

    private static Expected expect(Table table, Spec spec, boolean first, long line, int limit, World world,
            Set<Integer> admitted) {
        CsvReader.Problem problem;
        if (spec.content().length > limit) {
            problem = CsvReader.Problem.TOO_LONG;
        } else {
            problem = switch (spec.kind()) {
                case STRAY_QUOTE, TEXT_AFTER_QUOTE, CR_JOINED -> CsvReader.Problem.BAD_QUOTING;
                case BAD_ENCODING -> CsvReader.Problem.BAD_ENCODING;
                case HEADER, ROW -> null;
            };
        }
        if (problem != null) {
            ReasonCode code = switch (problem) {
                case TOO_LONG -> ReasonCode.RECORD_TOO_LONG;
                case BAD_QUOTING -> ReasonCode.BAD_QUOTING;
                case BAD_ENCODING -> ReasonCode.BAD_ENCODING;
            };
            return new Expected(line, spec.kind(), problem, null, false, Set.of(code), null);
        }
        if (spec.kind() == Kind.HEADER) {
            if (!first) {
                throw new IllegalStateException("a header is only ever planned first");
            }
            return new Expected(line, spec.kind(), null, spec.fields(), true, Set.of(), null);
        }
        if (!spec.fieldCodes().isEmpty()) {
            // Every reason: the ids that are themselves well formed are still checked against the others.
            Set<ReasonCode> codes = EnumSet.copyOf(spec.fieldCodes());
            if (!codes.contains(ReasonCode.WRONG_COLUMN_COUNT)) {
                List<String> f = spec.fields();
                codes.addAll(references(table, strictId(f.get(0)), table == Table.HIRED_EMPLOYEES ? strictId(f.get(3))
                        : null, table == Table.HIRED_EMPLOYEES ? strictId(f.get(4)) : null, world, admitted));
            }
            return new Expected(line, spec.kind(), null, spec.fields(), false, Set.copyOf(codes), null);
        }
        // Valid fields: the checks against stored and earlier ids decide.
        Row row = spec.row();
        Set<ReasonCode> codes = row instanceof HiredEmployee e
                ? references(table, e.id(), e.departmentId(), e.jobId(), world, admitted)
                : references(table, row.id(), null, null, world, admitted);
        if (codes.isEmpty()) {
            admitted.add(row.id());
            return new Expected(line, spec.kind(), null, spec.fields(), false, Set.of(), row);
        }
        return new Expected(line, spec.kind(), null, spec.fields(), false, Set.copyOf(codes), null);
    }

    /** The duplicate and reference reasons of the ids given (null: not a well-formed id, not checked). */
    private static Set<ReasonCode> references(Table table, Integer id, Integer departmentId, Integer jobId,
            World world, Set<Integer> admitted) {
        Set<ReasonCode> codes = EnumSet.noneOf(ReasonCode.class);
        if (id != null && (admitted.contains(id) || world.ids(table).contains(id))) {
            codes.add(ReasonCode.DUPLICATE_ID);
        }
        if (departmentId != null && !world.departments().contains(departmentId)) {
            codes.add(ReasonCode.UNKNOWN_DEPARTMENT);
        }
        if (jobId != null && !world.jobs().contains(jobId)) {
            codes.add(ReasonCode.UNKNOWN_JOB);
        }
        return codes;
    }

    /** The id a field holds by the data rules (an optional sign, ASCII digits, 1 to 2^31-1), else null. */
    private static Integer strictId(String text) {
        if (!text.matches("[+-]?[0-9]{1,18}")) {
            return null;
        }
        long value = Long.parseLong(text);
        return value >= 1 && value <= Integer.MAX_VALUE ? (int) value : null;
    }

    // ---- generating a plan ----------------------------------------------------------------------

    /**
     * How big a generated file may get.
     *
     * @param records at most this many records
     * @param longChance the chance of each record being a long one, near or over the limit
     * @param overTheLimit long records are all over the limit, and a file has at most one (for loads,
     *     where the limit is 1 MiB)
     */
    public record Size(int records, double longChance, boolean overTheLimit) {
    }

    /** A random file of {@code table} to be read with {@code maxRecordBytes}, loaded into {@code world}. */
    public static File generate(Random rnd, Table table, World world, int maxRecordBytes, Size size) {
        // Stray quotes and CR-joined rows each come in some files only: a file with either is not one
        // commons-csv and CsvReader read alike, and the comparison needs its share of files.
        Generator g = new Generator(rnd, table, world, maxRecordBytes, rnd.nextInt(4) == 0, rnd.nextInt(3) == 0, size);
        List<Spec> plan = new ArrayList<>();
        int count = rnd.nextInt(size.records() + 1);
        for (int i = 0; i < count; i++) {
            plan.add(i == 0 && rnd.nextInt(8) == 0 ? g.header() : g.record());
        }
        String[] ends = {"\n", "\n", "\r\n", "\r\n", "", "", "\r"};
        String finalEnd = ends[rnd.nextInt(ends.length)];
        String[] trailers = {"", "", "", "", "\n", "\r\n", "\n\r\n\n"};
        Frame frame = new Frame(rnd.nextInt(5) == 0, finalEnd, trailers[rnd.nextInt(trailers.length)]);
        return build(table, plan, frame, world, maxRecordBytes);
    }

    /** The generator of one file's records: knows the data rules well enough to label each field. */
    private static final class Generator {
        private final Random rnd;
        private final Table table;
        private final World world;
        private final int limit;
        /** The file may hold stray quotes, so quoted text must not start with a quote, comma or line break. */
        private final boolean strays;
        /** The file may hold rows joined by a bare CR. */
        private final boolean crJoins;
        private final Size size;
        private final List<Integer> idsSoFar = new ArrayList<>();
        private final Set<Integer> used = new HashSet<>();
        private boolean hugeWritten;

        Generator(Random rnd, Table table, World world, int limit, boolean strays, boolean crJoins, Size size) {
            this.rnd = rnd;
            this.table = table;
            this.world = world;
            this.limit = limit;
            this.strays = strays;
            this.crJoins = crJoins;
            this.size = size;
        }

        /** A field's text, what breaks in it (null: nothing), and its value when valid. */
        private record Value(String text, ReasonCode code, Object value) {
        }

        Spec header() {
            List<String> names = new ArrayList<>();
            for (String column : table.columns()) {
                names.add(rnd.nextBoolean() ? column : column.toUpperCase(Locale.ROOT));
            }
            return new Spec(Kind.HEADER, join(names, true), lineEnd(), blanks(), names, Set.of(), null, false);
        }

        Spec record() {
            if (!hugeWritten && rnd.nextDouble() < size.longChance()) {
                return longRecord();
            }
            int r = rnd.nextInt(100);
            if (r < 45) {
                return row(validValues(false), true);
            }
            if (r < 60) {
                return row(valuesWithBadFields(), true);
            }
            if (r < 65) {
                return wrongColumnCount();
            }
            if (r < 72) {
                return row(referenceOrDuplicateTrouble(), true);
            }
            if (r < 77 && strays) {
                return strayQuote();
            }
            if (r < 81) {
                return textAfterQuote();
            }
            if (r < 86) {
                return badEncoding();
            }
            if (r < 90 && crJoins) {
                return crJoined();
            }
            return row(validValues(true), true);
        }

        // ---- whole records

        private Spec row(List<Value> values, boolean mayQuote) {
            List<String> texts = values.stream().map(Value::text).toList();
            Set<ReasonCode> codes = EnumSet.noneOf(ReasonCode.class);
            values.stream().map(Value::code).filter(c -> c != null).forEach(codes::add);
            Row row = codes.isEmpty() ? typed(values) : null;
            return new Spec(Kind.ROW, join(texts, mayQuote), lineEnd(), blanks(), texts, Set.copyOf(codes), row, false);
        }

        private Spec wrongColumnCount() {
            List<Value> values = new ArrayList<>(validValues(false));
            if (rnd.nextBoolean()) {
                values.add(new Value(name(false), null, null));
            } else {
                values.remove(rnd.nextInt(values.size()));
            }
            List<String> texts = values.stream().map(Value::text).toList();
            return new Spec(Kind.ROW, join(texts, true), lineEnd(), blanks(), texts,
                    Set.of(ReasonCode.WRONG_COLUMN_COUNT), null, false);
        }

        /** A quote at the start of one field, never closed: the rest of the line holds no quote at all. */
        private Spec strayQuote() {
            List<String> texts = singleLineTexts();
            int at = rnd.nextInt(texts.size());
            List<String> plain = new ArrayList<>();
            for (String t : texts) {
                String p = t.replaceAll("[\",\r\n]", "");
                plain.add(p.isEmpty() ? "x" : p);
            }
            plain.set(at, "\"" + plain.get(at));
            return framing(Kind.STRAY_QUOTE, join(plain, false), false);
        }

        /** A quoted field with text after its closing quote, all on one line. */
        private Spec textAfterQuote() {
            List<String> texts = singleLineTexts();
            int at = 1;
            String text = texts.get(at).isEmpty() ? "Ana" : texts.get(at);
            String[] junk = {"x", "abc", "1", "é", "\"x\"", " x", "x ", "1", " ", "\t "};
            String after = junk[rnd.nextInt(junk.length)];
            if (after.startsWith("\"")) {
                after = "x" + after;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < texts.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                if (i == at) {
                    out.writeBytes(("\"" + text.replace("\"", "\"\"") + "\"" + after).getBytes(StandardCharsets.UTF_8));
                } else {
                    out.writeBytes(encode(texts.get(i), true));
                }
            }
            // commons-csv skips whitespace between a closing quote and the comma; RFC 4180 does not.
            boolean lenient = after.isBlank();
            return framing(Kind.TEXT_AFTER_QUOTE, out.toByteArray(), lenient);
        }

        /** Invalid UTF-8 or a NUL inside a field. */
        private Spec badEncoding() {
            List<Value> values = validValues(false);
            List<String> texts = values.stream().map(Value::text).toList();
            int at = rnd.nextInt(texts.size());
            byte[][] bad = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xC0, (byte) 0xAF},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}, {0},
                {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80}};
            byte[] inserted = bad[rnd.nextInt(bad.length)];
            boolean quote = rnd.nextBoolean();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < texts.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                if (i == at) {
                    String plain = texts.get(i).replaceAll("[\",\r\n]", "");
                    plain = plain.isEmpty() ? "ab" : plain;
                    int cut = rnd.nextInt(plain.length() + 1);
                    if (cut < plain.length() && Character.isLowSurrogate(plain.charAt(cut))) {
                        cut--;
                    }
                    if (quote) {
                        out.write('"');
                    }
                    out.writeBytes(plain.substring(0, cut).getBytes(StandardCharsets.UTF_8));
                    out.writeBytes(inserted);
                    // A plain letter after a truncated sequence keeps it truncated.
                    out.write('a');
                    out.writeBytes(plain.substring(cut).getBytes(StandardCharsets.UTF_8));
                    if (quote) {
                        out.write('"');
                    }
                } else {
                    out.writeBytes(encode(texts.get(i), true));
                }
            }
            return framing(Kind.BAD_ENCODING, out.toByteArray(), false);
        }

        /** Two rows on one line, joined by a bare CR. */
        private Spec crJoined() {
            byte[] first = join(singleLineTexts(), true);
            byte[] second = join(singleLineTexts(), true);
            byte[] joined = Arrays.copyOf(first, first.length + 1 + second.length);
            joined[first.length] = '\r';
            System.arraycopy(second, 0, joined, first.length + 1, second.length);
            return framing(Kind.CR_JOINED, joined, false);
        }

        /**
         * A record near or over the limit: a long name, quoted and made of lines that would each be a
         * valid record, or unquoted on one line.
         */
        private Spec longRecord() {
            hugeWritten = size.overTheLimit();
            List<Value> values = new ArrayList<>(validValues(false));
            double scale = size.overTheLimit() ? 1.0 + rnd.nextDouble() * 0.3 : 0.2 + rnd.nextDouble() * 1.2;
            int target = (int) Math.min(8 << 20, limit * scale) + 1;
            StringBuilder text = new StringBuilder(target + 64);
            boolean rowLike = rnd.nextBoolean();
            int n = rnd.nextInt(1_000_000);
            while (text.length() < target) {
                if (rowLike) {
                    text.append(n++).append(",Inner ").append(n).append(",2021-01-01T00:00:00Z,1,1\n");
                } else {
                    text.append("Long name ");
                }
            }
            values.set(1, new Value(text.toString(), null, text.toString()));
            return row(values, true);
        }

        private Spec framing(Kind kind, byte[] content, boolean lenient) {
            return new Spec(kind, content, lineEnd(), blanks(), null, Set.of(), null, lenient);
        }

        // ---- the fields of one record

        /** Field texts of a record with no line break in any of them. */
        private List<String> singleLineTexts() {
            List<String> texts = new ArrayList<>();
            for (Value v : validValues(false)) {
                texts.add(v.text().replace("\r", " ").replace("\n", " "));
            }
            return texts;
        }

        private List<Value> validValues(boolean fancy) {
            List<Value> values = new ArrayList<>();
            values.add(freshId());
            if (table == Table.HIRED_EMPLOYEES) {
                values.add(nameValue(name(fancy)));
                values.add(validDatetime());
                values.add(known(world.departments()));
                values.add(known(world.jobs()));
            } else {
                values.add(nameValue(name(fancy)));
            }
            return values;
        }

        private List<Value> valuesWithBadFields() {
            List<Value> values = new ArrayList<>(validValues(false));
            int broken = 1 + rnd.nextInt(2);
            for (int k = 0; k < broken; k++) {
                int at = rnd.nextInt(values.size());
                values.set(at, badValue(at));
            }
            return values;
        }

        private List<Value> referenceOrDuplicateTrouble() {
            List<Value> values = new ArrayList<>(validValues(false));
            int what = rnd.nextInt(table == Table.HIRED_EMPLOYEES ? 3 : 1);
            if (what == 0 && !idsSoFar.isEmpty()) {
                int id = idsSoFar.get(rnd.nextInt(idsSoFar.size()));
                values.set(0, new Value(Integer.toString(id), null, id));
            } else if (what == 1) {
                values.set(3, unknown(world.departments()));
            } else if (what == 2) {
                values.set(4, unknown(world.jobs()));
            }
            return values;
        }

        private Value badValue(int column) {
            String name = table.columns().get(column);
            if (name.equals("name") || name.equals("department") || name.equals("job")) {
                String[] blank = {"", " ", "   ", "\t"};
                return new Value(blank[rnd.nextInt(blank.length)], ReasonCode.MISSING_FIELD, null);
            }
            if (name.equals("datetime")) {
                return badDatetime();
            }
            return badId();
        }

        private Value badId() {
            Object[][] bad = {{"x1", ReasonCode.NOT_AN_INTEGER}, {"1.5", ReasonCode.NOT_AN_INTEGER},
                {"12a", ReasonCode.NOT_AN_INTEGER}, {" 5", ReasonCode.NOT_AN_INTEGER}, {"-", ReasonCode.NOT_AN_INTEGER},
                {"1e3", ReasonCode.NOT_AN_INTEGER}, {"٣", ReasonCode.NOT_AN_INTEGER}, {"0", ReasonCode.OUT_OF_RANGE},
                {"-5", ReasonCode.OUT_OF_RANGE}, {"-0", ReasonCode.OUT_OF_RANGE},
                {"-2147483648", ReasonCode.OUT_OF_RANGE},
                {"2147483648", ReasonCode.OUT_OF_RANGE}, {"9999999999", ReasonCode.OUT_OF_RANGE},
                {"99999999999999999999999", ReasonCode.OUT_OF_RANGE}, {"", ReasonCode.MISSING_FIELD},
                {"  ", ReasonCode.MISSING_FIELD}};
            Object[] pick = bad[rnd.nextInt(bad.length)];
            return new Value((String) pick[0], (ReasonCode) pick[1], null);
        }

        private Value freshId() {
            int id;
            do {
                int kind = rnd.nextInt(10);
                id = kind == 0 ? Integer.MAX_VALUE - rnd.nextInt(3) : kind == 1 ? 1 + rnd.nextInt(3)
                        : 1 + rnd.nextInt(kind < 5 ? 5_000 : Integer.MAX_VALUE - 1);
            } while (!used.add(id));
            idsSoFar.add(id);
            return new Value(Integer.toString(id), null, id);
        }

        private Value known(Set<Integer> ids) {
            if (ids.isEmpty()) {
                return unknown(ids);
            }
            List<Integer> list = new ArrayList<>(ids);
            list.sort(null);
            int id = list.get(rnd.nextInt(list.size()));
            return new Value(Integer.toString(id), null, id);
        }

        private Value unknown(Set<Integer> ids) {
            int id;
            do {
                id = 1 + rnd.nextInt(rnd.nextBoolean() ? 50 : Integer.MAX_VALUE - 1);
            } while (ids.contains(id));
            return new Value(Integer.toString(id), null, id);
        }

        private Value validDatetime() {
            int year = 1991 + rnd.nextInt(39);
            int month = 1 + rnd.nextInt(12);
            int day = 1 + rnd.nextInt(YearMonth.of(year, month).lengthOfMonth());
            int hour = rnd.nextInt(24);
            int minute = rnd.nextInt(60);
            int second = rnd.nextInt(60);
            // PostgreSQL keeps microseconds: at most six digits of fraction.
            int digits = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(6) : 0;
            int fraction = digits == 0 ? 0 : rnd.nextInt((int) Math.pow(10, digits));
            String text = String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute,
                    second);
            int nanos = 0;
            if (digits > 0) {
                String f = String.format(Locale.ROOT, "%0" + digits + "d", fraction);
                text += "." + f;
                nanos = Integer.parseInt((f + "000000000").substring(0, 9));
            }
            ZoneOffset offset;
            if (rnd.nextBoolean()) {
                offset = ZoneOffset.UTC;
                text += "Z";
            } else {
                int[][] offsets = {{0, 0}, {-5, 0}, {5, 30}, {14, 0}, {-12, 0}, {9, 45}, {-3, -30}, {1, 0}};
                int[] o = offsets[rnd.nextInt(offsets.length)];
                offset = ZoneOffset.ofHoursMinutes(o[0], o[1]);
                int total = o[0] * 60 + o[1];
                text += String.format(Locale.ROOT, "%s%02d:%02d", total < 0 ? "-" : "+", Math.abs(total) / 60,
                        Math.abs(total) % 60);
            }
            Instant instant = LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(offset);
            return new Value(text, null, instant);
        }

        private Value badDatetime() {
            String[] bad = {"2021-02-30T00:00:00Z", "2021-04-31T10:00:00Z", "2021-13-01T00:00:00Z",
                "2021-07-27T24:00:00Z", "2021-07-27T16:60:00Z", "2021-07-27 16:02:08Z", "2021-07-27T16:02:08",
                "2021-07-27", "yesterday", "N/A", "27/07/2021 16:02", " 2021-07-27T16:02:08Z", "2021-07-27T16:02:08ZZ",
                "1627401728", "2021-07-27T16:02:08+25:00", "2021-7-27T16:02:08Z", "２０２１-07-27T16:02:08Z"};
            if (rnd.nextInt(6) == 0) {
                return new Value(rnd.nextBoolean() ? "" : " ", ReasonCode.MISSING_FIELD, null);
            }
            return new Value(bad[rnd.nextInt(bad.length)], ReasonCode.BAD_DATETIME, null);
        }

        private static final String[] NAMES = {"Ana", "Bo Li", "Zoë Ünal", "José Martínez", "Łukasz", "日本語の名前",
            "😀 Emoji", "Smith, Ana", "Bo \"The Boss\" Li", "Line\nBreak", "Line\r\nBreak", "Line\rBreak", " Ana ",
            "O'Brien", "Robert'); DROP TABLE hired_employees;--", "Tab\there", "back\\slash \\N", "NULL",
            "5,Ana,2021-01-01T00:00:00Z,1,1", "\"Quoted\"", ",leading comma", "\nleading newline", "trailing comma,",
            "\"\"", "a\"", "x", "Ω≈ç√", "ﬁ ligature", "e\u0301 combining"};

        /** A name is valid by construction: non-blank, no NUL. */
        private static Value nameValue(String name) {
            return new Value(name, null, name);
        }

        private String name(boolean fancy) {
            String name;
            if (!fancy && rnd.nextInt(3) > 0) {
                name = NAMES[rnd.nextInt(7)];
            } else if (rnd.nextBoolean()) {
                name = NAMES[rnd.nextInt(NAMES.length)];
            } else {
                String alphabet = "abcXYZ 09,\"'\n\r\té日\\;-";
                StringBuilder text = new StringBuilder();
                int length = 1 + rnd.nextInt(20);
                for (int i = 0; i < length; i++) {
                    int at = rnd.nextInt(alphabet.length() + 1);
                    text.append(at == alphabet.length() ? "😀" : String.valueOf(alphabet.charAt(at)));
                }
                name = text.toString();
            }
            if (name.isBlank()) {
                name = "N" + name;
            }
            if (strays && (name.startsWith("\"") || name.startsWith(",") || name.startsWith("\r")
                    || name.startsWith("\n"))) {
                name = "N" + name;
            }
            return name;
        }

        private Row typed(List<Value> values) {
            return switch (table) {
                case DEPARTMENTS -> new Department((Integer) values.get(0).value(), (String) values.get(1).value());
                case JOBS -> new Job((Integer) values.get(0).value(), (String) values.get(1).value());
                case HIRED_EMPLOYEES -> new HiredEmployee((Integer) values.get(0).value(),
                        (String) values.get(1).value(), (Instant) values.get(2).value(),
                        (Integer) values.get(3).value(), (Integer) values.get(4).value());
            };
        }

        // ---- bytes

        private byte[] join(List<String> texts, boolean mayQuote) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int i = 0; i < texts.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.writeBytes(mayQuote ? encode(texts.get(i), true) : texts.get(i).getBytes(StandardCharsets.UTF_8));
            }
            return out.toByteArray();
        }

        /** A field as RFC 4180 writes it: quoted when it must be, and now and then when it need not. */
        private byte[] encode(String text, boolean mayQuote) {
            boolean must = text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\r') >= 0
                    || text.indexOf('\n') >= 0;
            boolean quote = must || mayQuote && rnd.nextInt(6) == 0;
            String encoded = quote ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
            return encoded.getBytes(StandardCharsets.UTF_8);
        }

        private String lineEnd() {
            return rnd.nextInt(3) == 0 ? "\r\n" : "\n";
        }

        private String blanks() {
            int r = rnd.nextInt(14);
            return r == 0 ? "\n" : r == 1 ? "\r\n" : r == 2 ? "\n\r\n" : "";
        }
    }

    /** Whether a quote is followed by whitespace other than a line break anywhere in the bytes. */
    public static boolean quoteThenWhitespace(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        for (int i = 0; i + 1 < text.length(); i++) {
            char next = text.charAt(i + 1);
            if (text.charAt(i) == '"' && next != '\r' && next != '\n' && Character.isWhitespace(next)) {
                return true;
            }
        }
        return false;
    }

    /** Bytes as Java string text: printable ASCII as is, the rest escaped. */
    public static String escape(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c == '\n') {
                text.append("\\n");
            } else if (c == '\r') {
                text.append("\\r");
            } else if (c == '\\') {
                text.append("\\\\");
            } else if (c == '"') {
                text.append("\\\"");
            } else if (c >= 0x20 && c < 0x7F) {
                text.append((char) c);
            } else {
                text.append(String.format(Locale.ROOT, "\\x%02X", c));
            }
        }
        return text.toString();
    }
}
