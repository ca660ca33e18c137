package dev.hiringkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of hiring-core, as recorded in {@code core-lib/api/hiring-core.api}: every public type
 * of the non-internal packages with its public and protected members, read from the compiled main classes
 * ({@code target/classes}, not the test class path). A change to the API fails here until the file is
 * updated, so that it is made on purpose and shows in review: run this test with
 * {@code -Dhiring.api.update=true} to rewrite the file. It also fails when an API signature names an
 * internal type, or a jOOQ, Flyway, HikariCP or AWS type (AWS ones are allowed in
 * {@code dev.hiringkit.archive.s3}, the optional S3 part).
 */
class ApiSignatureTest {

    private static final String ROOT_PACKAGE = "dev.hiringkit";
    private static final Pattern FOREIGN = Pattern.compile(
            "\\b(dev\\.hiringkit\\.internal|org\\.jooq|org\\.flywaydb|com\\.zaxxer\\.hikari|software\\.amazon)\\.[\\w.$]+");
    private static final String S3_PACKAGE = "dev.hiringkit.archive.s3";

    @Test
    void thePublicApiIsTheRecordedOne() throws Exception {
        Path classes = Path.of(HiringKit.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path recorded = classes.getParent().getParent().resolve("api").resolve("hiring-core.api");
        List<String> listing = listing(classes);

        if (Boolean.getBoolean("hiring.api.update")) {
            Files.createDirectories(recorded.getParent());
            Files.write(recorded, listing, StandardCharsets.UTF_8);
        }
        List<String> expected = Files.exists(recorded) ? Files.readAllLines(recorded, StandardCharsets.UTF_8) : List.of();
        if (!expected.equals(listing)) {
            fail("The public API of hiring-core differs from " + recorded.getFileName() + " (- recorded, + now):\n"
                    + diff(expected, listing) + "\nIf the change is meant, update the file: ./mvnw -pl core-lib -am verify"
                    + " -Dtest=ApiSignatureTest -Dsurefire.failIfNoSpecifiedTests=false -Dhiring.api.update=true");
        }
    }

    @Test
    void noApiSignatureNamesAnInternalOrDependencyType() throws Exception {
        Path classes = Path.of(HiringKit.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> offending = new ArrayList<>();
        for (Class<?> type : apiTypes(classes)) {
            for (String line : describe(type)) {
                Matcher foreign = FOREIGN.matcher(line);
                while (foreign.find()) {
                    boolean s3Part = foreign.group(1).equals("software.amazon")
                            && type.getPackageName().equals(S3_PACKAGE);
                    if (!s3Part) {
                        offending.add(type.getName() + ": " + line.trim());
                    }
                }
            }
        }
        assertEquals(List.of(), offending, "API signatures that name internal or dependency types");
    }

    /** The listing: each API type's line, then its members' lines indented, types sorted by name. */
    private static List<String> listing(Path classes) throws IOException, ClassNotFoundException {
        List<String> lines = new ArrayList<>();
        for (Class<?> type : apiTypes(classes)) {
            lines.addAll(describe(type));
        }
        return lines;
    }

    /** The public types (nested ones included when every enclosing type is public) of the API packages. */
    private static List<Class<?>> apiTypes(Path classes) throws IOException, ClassNotFoundException {
        List<String> names;
        try (Stream<Path> files = Files.walk(classes)) {
            names = files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> classes.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "."))
                    .map(n -> n.substring(0, n.length() - ".class".length()))
                    .filter(n -> n.startsWith(ROOT_PACKAGE + ".") && !n.startsWith(ROOT_PACKAGE + ".internal.")
                            && !n.endsWith("package-info") && !n.endsWith("module-info"))
                    .sorted()
                    .toList();
        }
        List<Class<?>> types = new ArrayList<>();
        for (String name : names) {
            Class<?> type = Class.forName(name, false, ApiSignatureTest.class.getClassLoader());
            if (isVisible(type)) {
                types.add(type);
            }
        }
        return types;
    }

    private static boolean isVisible(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (!Modifier.isPublic(t.getModifiers()) || t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic()) {
                return false;
            }
        }
        return true;
    }

    private static List<String> describe(Class<?> type) {
        List<String> lines = new ArrayList<>();
        lines.add(header(type));
        if (type.isRecord()) {
            // In their declared order: it is the canonical constructor's.
            for (RecordComponent component : type.getRecordComponents()) {
                lines.add("  component " + component.getGenericType().getTypeName() + " " + component.getName());
            }
        }
        List<String> members = new ArrayList<>();
        for (Field field : type.getDeclaredFields()) {
            if (field.isEnumConstant()) {
                members.add("enum constant " + field.getName());
            } else if (isExposed(field.getModifiers()) && !field.isSynthetic()) {
                members.add("field " + field.toGenericString());
            }
        }
        for (Constructor<?> constructor : type.getDeclaredConstructors()) {
            if (isExposed(constructor.getModifiers()) && !constructor.isSynthetic()) {
                members.add("constructor " + constructor.toGenericString());
            }
        }
        for (Method method : type.getDeclaredMethods()) {
            if (isExposed(method.getModifiers()) && !method.isSynthetic() && !method.isBridge()) {
                members.add("method " + method.toGenericString());
            }
        }
        members.sort(null);
        // The declaring type is the line above: "method public boolean isMigrated()", not the type's name again.
        members.forEach(member -> lines.add("  " + member.replace(type.getName() + ".", "")));
        return lines;
    }

    private static boolean isExposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    /** {@code public final class dev.hiringkit.HiringKit implements java.lang.AutoCloseable}, say. */
    private static String header(Class<?> type) {
        StringBuilder header = new StringBuilder(type.toGenericString());
        Type superclass = type.getGenericSuperclass();
        if (superclass != null && superclass != Object.class && !type.isEnum() && !type.isRecord()) {
            header.append(" extends ").append(superclass.getTypeName());
        }
        Type[] interfaces = type.getGenericInterfaces();
        if (interfaces.length > 0) {
            header.append(type.isInterface() ? " extends " : " implements ").append(Arrays.stream(interfaces)
                    .map(Type::getTypeName).collect(Collectors.joining(", ")));
        }
        return header.toString();
    }

    /** The lines that differ, with two lines of context, as a unified diff shows them. */
    static String diff(List<String> before, List<String> after) {
        int[][] common = new int[before.size() + 1][after.size() + 1];
        for (int i = before.size() - 1; i >= 0; i--) {
            for (int j = after.size() - 1; j >= 0; j--) {
                common[i][j] = before.get(i).equals(after.get(j)) ? common[i + 1][j + 1] + 1
                        : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<String> edits = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < before.size() || j < after.size()) {
            if (i < before.size() && j < after.size() && before.get(i).equals(after.get(j))) {
                edits.add(" " + before.get(i++));
                j++;
            } else if (i < before.size() && (j == after.size() || common[i + 1][j] >= common[i][j + 1])) {
                edits.add("-" + before.get(i++));
            } else {
                edits.add("+" + after.get(j++));
            }
        }
        StringBuilder out = new StringBuilder();
        int lastShown = -1;
        for (int k = 0; k < edits.size(); k++) {
            boolean near = false;
            for (int d = Math.max(0, k - 2); d <= Math.min(edits.size() - 1, k + 2) && !near; d++) {
                near = !edits.get(d).startsWith(" ");
            }
            if (near) {
                if (lastShown != k - 1) {
                    out.append("@@\n");
                }
                out.append(edits.get(k)).append('\n');
                lastShown = k;
            }
        }
        return out.toString();
    }
}
