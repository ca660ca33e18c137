package dev.hiringkit.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;

/**
 * A report as one self-contained HTML file a user can mail: the dashboard's style and drawing
 * script, chart.js and the report's data, all inlined, so it opens anywhere with no network.
 */
final class HtmlReport {

    private static final String DASHBOARD = "dev/hiringkit/server/http/dashboard/";
    private static final String CHART_JS = "META-INF/resources/webjars/chart.js/";

    private HtmlReport() {
    }

    /** The page for {@code title}; {@code data} maps hiresByQuarter or departmentsAboveMean to its report. */
    static String page(String title, Map<String, Object> data) throws IOException {
        // '<' never stands outside a string in JSON, so escaping it keeps "</script>" in a name harmless.
        String json = new ObjectMapper().writeValueAsString(data).replace("<", "\\u003c");
        return new StringBuilder()
                .append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(title)).append("</title>\n")
                .append("<style>\n").append(resource(DASHBOARD + "dashboard.css")).append("</style>\n")
                .append("</head>\n<body>\n")
                .append("<header class=\"top\"><h1>HiringKit report</h1></header>\n")
                .append("<main id=\"reports\" class=\"reports\"></main>\n")
                .append("<script type=\"application/json\" id=\"report-data\">").append(json).append("</script>\n")
                .append(script(resource(CHART_JS + chartJsVersion() + "/dist/chart.umd.min.js")))
                .append(script(resource(DASHBOARD + "report.js")))
                .append("</body>\n</html>\n")
                .toString();
    }

    private static String script(String source) {
        // "</script" would end the element early; "<\/script" means the same to JavaScript.
        return "<script>\n" + source.replaceAll("(?i)</(script)", "<\\\\/$1") + "\n</script>\n";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** The webjar's version, from its Maven metadata: the pom names it once. */
    private static String chartJsVersion() throws IOException {
        Properties pom = new Properties();
        try (InputStream in = open("META-INF/maven/org.webjars.npm/chart.js/pom.properties")) {
            pom.load(in);
        }
        return pom.getProperty("version");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static InputStream open(String name) {
        InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new UncheckedIOException(new IOException("Missing from the classpath: " + name));
        }
        return in;
    }
}
