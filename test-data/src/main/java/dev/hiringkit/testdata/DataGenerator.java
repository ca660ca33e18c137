package dev.hiringkit.testdata;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes demo and benchmark data in exactly the challenge's CSV format: no header, CRLF line ends,
 * departments.csv and jobs.csv without a final line end, hired_employees.csv with one. The same seed
 * gives the same bytes. With an invalid ratio, that share of employee rows carries exactly one defect,
 * counted by the {@link dev.hiringkit.validation.ReasonCode} it must be refused with.
 */
public final class DataGenerator {

    private static final List<String> DEPARTMENTS = List.of("Engineering", "Sales", "Customer Support",
            "Marketing", "Research and Development", "Operations", "Human Resources", "Finance",
            "Product Management", "Legal", "Training", "Procurement");

    private static final List<String> ROLES = List.of("Software Engineer", "Data Engineer", "Account Executive",
            "Support Specialist", "Marketing Analyst", "Research Scientist", "Operations Manager", "Recruiter",
            "Financial Analyst", "Product Manager", "Paralegal", "Trainer", "Buyer", "QA/Test Engineer",
            "Budget/Accounting Analyst", "Systems Administrator", "Technical Writer", "UX Designer",
            "Sales Representative", "Payroll Specialist", "Database Administrator", "Security Analyst",
            "Project Manager");

    private static final List<String> LEVELS = List.of("%s", "%s I", "%s II", "%s III", "%s IV", "Senior %s",
            "Junior %s", "Lead %s");

    private static final List<String> FIRST_NAMES = List.of("Ada", "Alan", "Grace", "Linus", "Margaret",
            "Dennis", "Barbara", "Ken", "Frances", "Edsger", "Radia", "Tim", "Hedy", "John", "Katherine", "Donald",
            "Sophie", "Bjarne", "Joan", "Guido", "Anita", "James", "Shafi", "Niklaus", "Leslie", "Yukihiro", "Mary",
            "Whitfield", "Adele", "Vint", "Karen", "Brian", "Lynn", "Robert", "Elena", "Carlos", "Lucia", "Mateo",
            "Valentina", "Santiago", "Camila", "Andres", "Isabella", "Diego", "Mariana", "Juan", "Sofia", "Pedro");

    private static final List<String> LAST_NAMES = List.of("Lovelace", "Turing", "Hopper", "Torvalds",
            "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen", "Dijkstra", "Perlman", "Berners-Lee", "Lamarr",
            "McCarthy", "Johnson", "Knuth", "Wilson", "Stroustrup", "Clarke", "van Rossum", "Borg", "Gosling",
            "Goldwasser", "Wirth", "Lamport", "Matsumoto", "Shaw", "Diffie", "Goldberg", "Cerf", "Jones",
            "Kernighan", "Conway", "Kahn", "Garcia", "Rodriguez", "Martinez", "Lopez", "Gonzalez", "Perez",
            "Sanchez", "Ramirez", "Torres", "Flores", "Rivera", "Gomez", "Diaz", "O'Neil");

    /** The defects an invalid row may carry, with their weights; names are ReasonCode names. */
    private static final List<String> DEFECTS = List.of("MISSING_FIELD", "MISSING_FIELD", "MISSING_FIELD",
            "MISSING_FIELD", "NOT_AN_INTEGER", "OUT_OF_RANGE", "BAD_DATETIME", "UNKNOWN_DEPARTMENT", "UNKNOWN_JOB",
            "DUPLICATE_ID", "WRONG_COLUMN_COUNT");

    /** Hires fall in [2019-01-01, 2024-01-01) UTC. */
    private static final long FIRST_SECOND = LocalDateTime.of(2019, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC);
    private static final long SECONDS = LocalDateTime.of(2024, 1, 1, 0, 0).toEpochSecond(ZoneOffset.UTC) - FIRST_SECOND;

    private final long employees;
    private final long seed;
    private final double invalidRatio;

    private DataGenerator(Builder builder) {
        this.employees = builder.employees;
        this.seed = builder.seed;
        this.invalidRatio = builder.invalidRatio;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What was written; {@code invalidByKind} counts the deliberately broken employee rows by reason code. */
    public record Summary(long departments, long jobs, long employees, long invalidEmployees,
            Map<String, Long> invalidByKind) {

        public Summary {
            invalidByKind = Collections.unmodifiableMap(new LinkedHashMap<>(invalidByKind));
        }
    }

    /** Writes departments.csv, jobs.csv and hired_employees.csv into {@code dir}, created if missing. */
    public Summary writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> jobs = jobTitles();
        writeNames(dir.resolve("departments.csv"), DEPARTMENTS);
        writeNames(dir.resolve("jobs.csv"), jobs);
        Map<String, Long> invalid = new LinkedHashMap<>();
        try (Writer out = new BufferedWriter(Files.newBufferedWriter(dir.resolve("hired_employees.csv"),
                StandardCharsets.UTF_8), 1 << 20)) {
            new Employees(new SplittableRandom(seed), jobs.size(), invalid).write(out);
        }
        long broken = invalid.values().stream().mapToLong(Long::longValue).sum();
        return new Summary(DEPARTMENTS.size(), jobs.size(), employees, broken, invalid);
    }

    /** About 180 titles: every role at every level, in a fixed order. */
    private static List<String> jobTitles() {
        List<String> titles = new ArrayList<>();
        for (String role : ROLES) {
            for (String level : LEVELS) {
                titles.add(String.format(level, role));
            }
        }
        return titles.subList(0, 180);
    }

    private static void writeNames(Path file, List<String> names) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            text.append(i == 0 ? "" : "\r\n").append(i + 1).append(',').append(names.get(i));
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** The employee rows: one pass, constant memory. */
    private final class Employees {
        private final SplittableRandom random;
        private final int jobCount;
        private final Map<String, Long> invalid;
        private final StringBuilder line = new StringBuilder(128);
        private final double[] departmentWeights = new double[DEPARTMENTS.size()];
        private long lastValidId;

        Employees(SplittableRandom random, int jobCount, Map<String, Long> invalid) {
            this.random = random;
            this.jobCount = jobCount;
            this.invalid = invalid;
            // Uneven department sizes, so some are well above the mean and some below.
            double total = 0;
            for (int d = 0; d < departmentWeights.length; d++) {
                total += 1.0 / (1 + d * 0.35);
                departmentWeights[d] = total;
            }
            for (int d = 0; d < departmentWeights.length; d++) {
                departmentWeights[d] /= total;
            }
        }

        void write(Writer out) throws IOException {
            for (long id = 1; id <= employees; id++) {
                line.setLength(0);
                String defect = random.nextDouble() < invalidRatio ? DEFECTS.get(random.nextInt(DEFECTS.size())) : null;
                if ("DUPLICATE_ID".equals(defect) && lastValidId == 0) {
                    defect = "MISSING_FIELD";
                }
                row(id, defect);
                if (defect == null) {
                    lastValidId = id;
                } else {
                    invalid.merge(defect, 1L, Long::sum);
                }
                line.append("\r\n");
                out.append(line);
            }
        }

        private void row(long id, String defect) {
            String[] fields = {Long.toString(id), name(), datetime(), Integer.toString(department()),
                Integer.toString(1 + skewed(jobCount))};
            if (defect != null) {
                switch (defect) {
                    case "MISSING_FIELD" -> fields[random.nextInt(fields.length)] = "";
                    case "NOT_AN_INTEGER" -> fields[3 + random.nextInt(2)] = random.nextBoolean() ? "seven" : "4.5";
                    case "OUT_OF_RANGE" -> fields[0] = random.nextBoolean() ? "-" + id : "2147483648";
                    case "BAD_DATETIME" -> fields[2] = random.nextBoolean() ? "2021-02-30T10:00:00Z" : "2021-07-27 16:02";
                    case "UNKNOWN_DEPARTMENT" -> fields[3] = Integer.toString(DEPARTMENTS.size() + 1 + random.nextInt(50));
                    case "UNKNOWN_JOB" -> fields[4] = Integer.toString(jobCount + 1 + random.nextInt(50));
                    case "DUPLICATE_ID" -> fields[0] = Long.toString(lastValidId);
                    case "WRONG_COLUMN_COUNT" -> fields = random.nextBoolean()
                            ? new String[] {fields[0], fields[1], fields[2], fields[3]}
                            : new String[] {fields[0], fields[1], fields[2], fields[3], fields[4], "extra"};
                    default -> throw new IllegalStateException(defect);
                }
            }
            for (int f = 0; f < fields.length; f++) {
                line.append(f == 0 ? "" : ",").append(fields[f]);
            }
        }

        /** A realistic name; now and then one that needs quoting, which is valid. */
        private String name() {
            String first = FIRST_NAMES.get(random.nextInt(FIRST_NAMES.size()));
            String last = LAST_NAMES.get(random.nextInt(LAST_NAMES.size()));
            int odd = random.nextInt(1000);
            if (odd == 0) {
                return "\"" + last + ", " + first + "\"";
            }
            if (odd == 1) {
                return "\"" + first + " \"\"" + LAST_NAMES.get(random.nextInt(LAST_NAMES.size())) + "\"\" " + last + "\"";
            }
            return first + " " + last;
        }

        /** An instant in UTC ({@code Z}); now and then the same instant written with a -05:00 offset. */
        private String datetime() {
            LocalDateTime at = LocalDateTime.ofEpochSecond(FIRST_SECOND + random.nextLong(SECONDS), 0, ZoneOffset.UTC);
            boolean offset = random.nextInt(500) == 0;
            if (offset) {
                at = at.minusHours(5);
            }
            StringBuilder text = new StringBuilder(25);
            pad(text, at.getYear(), 4).append('-');
            pad(text, at.getMonthValue(), 2).append('-');
            pad(text, at.getDayOfMonth(), 2).append('T');
            pad(text, at.getHour(), 2).append(':');
            pad(text, at.getMinute(), 2).append(':');
            pad(text, at.getSecond(), 2);
            return text.append(offset ? "-05:00" : "Z").toString();
        }

        private int department() {
            double p = random.nextDouble();
            for (int d = 0; d < departmentWeights.length; d++) {
                if (p < departmentWeights[d]) {
                    return d + 1;
                }
            }
            return departmentWeights.length;
        }

        /** 0..n-1, small values more likely: some jobs are common, most are rare. */
        private int skewed(int n) {
            double u = random.nextDouble();
            return (int) Math.min(n - 1, Math.floor(n * u * u));
        }
    }

    private static StringBuilder pad(StringBuilder text, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            text.append('0');
        }
        return text.append(digits);
    }

    /** Configures a {@link DataGenerator}. */
    public static final class Builder {
        private long employees = 10_000;
        private long seed = 42;
        private double invalidRatio;

        private Builder() {
        }

        public Builder employees(long employees) {
            if (employees < 0) {
                throw new IllegalArgumentException("employees must be 0 or more, got " + employees);
            }
            this.employees = employees;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The share of employee rows, 0 to 1, that carry one defect each. */
        public Builder invalidRatio(double invalidRatio) {
            if (!(invalidRatio >= 0 && invalidRatio <= 1)) {
                throw new IllegalArgumentException("invalidRatio must be between 0 and 1, got " + invalidRatio);
            }
            this.invalidRatio = invalidRatio;
            return this;
        }

        public DataGenerator build() {
            return new DataGenerator(this);
        }
    }
}
