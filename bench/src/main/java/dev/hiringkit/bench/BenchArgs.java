package dev.hiringkit.bench;

/** The options the data-size benchmarks share: {@code --employees N} and {@code --runs R}. */
record BenchArgs(long employees, int runs) {

    /** Reads the options, each defaulting to the value given; anything else is refused. */
    static BenchArgs parse(String[] args, long employees, int runs) {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--employees" -> employees = Long.parseLong(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (expected --employees N, --runs R)");
            }
        }
        return new BenchArgs(employees, runs);
    }
}
