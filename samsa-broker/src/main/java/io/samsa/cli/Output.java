package io.samsa.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What a command prints: a table for people (columns padded to their widest cell) or JSON for programs
 * ({@code --json}). Commands build rows of plain values (strings, numbers, booleans, null, lists and maps) once and
 * hand them here, so both forms always carry the same data.
 */
final class Output {

    private final PrintWriter out;
    private final boolean json;

    Output(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    boolean json() {
        return json;
    }

    /** Rows as a table under {@code headers}, or as a JSON array of objects keyed by {@code keys}. */
    void table(List<String> headers, List<String> keys, List<List<Object>> rows) {
        if (json) {
            out.println(toJson(objects(keys, rows)));
        } else {
            printTable(headers, rows);
        }
        out.flush();
    }

    /** Rows as JSON objects keyed by {@code keys}, in order. */
    static List<Object> objects(List<String> keys, List<List<Object>> rows) {
        List<Object> objects = new ArrayList<>();
        for (List<Object> row : rows) {
            Map<String, Object> object = new java.util.LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                object.put(keys.get(i), row.get(i));
            }
            objects.add(object);
        }
        return objects;
    }

    /** A JSON value as it is, or for people the table a caller prepared. */
    void value(Object jsonValue, Runnable human) {
        if (json) {
            out.println(toJson(jsonValue));
        } else {
            human.run();
        }
        out.flush();
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }

    void printTable(List<String> headers, List<List<Object>> rows) {
        int[] widths = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<Object> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], cell(row.get(i)).length());
            }
        }
        out.println(formatRow(headers.stream().map(h -> (Object) h).toList(), widths));
        for (List<Object> row : rows) {
            out.println(formatRow(row, widths));
        }
    }

    private static String formatRow(List<Object> row, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
            String cell = cell(row.get(i));
            line.append(cell);
            if (i < row.size() - 1) {
                line.append(" ".repeat(widths[i] - cell.length() + 2));
            }
        }
        return line.toString().stripTrailing();
    }

    private static String cell(Object value) {
        if (value == null) {
            return "-";
        }
        if (value instanceof Collection<?> c) {
            return String.join(",", c.stream().map(Output::cell).toList());
        }
        if (value instanceof Double d) {
            return d == Math.rint(d) && !Double.isInfinite(d) ? String.valueOf(d.longValue())
                    : String.format("%.3f", d);
        }
        return String.valueOf(value);
    }

    /** Plain values to JSON: maps, lists, strings, numbers, booleans and null. */
    static String toJson(Object value) {
        StringBuilder json = new StringBuilder();
        write(json, value);
        return json.toString();
    }

    private static void write(StringBuilder json, Object value) {
        if (value == null) {
            json.append("null");
        } else if (value instanceof Map<?, ?> map) {
            json.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                writeString(json, String.valueOf(e.getKey()));
                json.append(':');
                write(json, e.getValue());
            }
            json.append('}');
        } else if (value instanceof Collection<?> list) {
            json.append('[');
            boolean first = true;
            for (Object item : list) {
                if (!first) {
                    json.append(',');
                }
                first = false;
                write(json, item);
            }
            json.append(']');
        } else if (value instanceof Number || value instanceof Boolean) {
            json.append(value);
        } else {
            writeString(json, value.toString());
        }
    }

    private static void writeString(StringBuilder json, String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
