package io.samsa.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's {@code ssl.principal.mapping.rules}: a comma-separated list of {@code DEFAULT} (the distinguished name as
 * it is) and {@code RULE:pattern/replacement/} with an optional {@code L} or {@code U} suffix (lower or upper case).
 * The first rule whose pattern matches the whole RFC 2253 distinguished name gives the principal name; none matching
 * is an error (the connection is refused). Commas inside a rule's pattern or replacement do not split it. Immutable.
 */
public final class SslPrincipalMapper {

    private record Rule(Pattern pattern, String replacement, char caseChange) {
        String apply(String dn) {
            if (pattern == null) {
                return dn;
            }
            Matcher m = pattern.matcher(dn);
            if (!m.matches()) {
                return null;
            }
            String result = m.replaceAll(replacement);
            return switch (caseChange) {
                case 'L' -> result.toLowerCase(Locale.ENGLISH);
                case 'U' -> result.toUpperCase(Locale.ENGLISH);
                default -> result;
            };
        }
    }

    private final List<Rule> rules;
    private final String text;

    private SslPrincipalMapper(List<Rule> rules, String text) {
        this.rules = rules;
        this.text = text;
    }

    /** @throws IllegalArgumentException naming the rule that cannot be parsed */
    public static SslPrincipalMapper parse(String rules) {
        String text = rules == null || rules.isBlank() ? "DEFAULT" : rules.trim();
        List<Rule> parsed = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && (text.charAt(i) == ',' || Character.isWhitespace(text.charAt(i)))) {
                i++;
            }
            if (i >= text.length()) {
                break;
            }
            if (text.startsWith("DEFAULT", i)) {
                parsed.add(new Rule(null, null, ' '));
                i += "DEFAULT".length();
            } else if (text.startsWith("RULE:", i)) {
                int patternEnd = unescapedSlash(text, i + 5);
                int replacementEnd = patternEnd < 0 ? -1 : unescapedSlash(text, patternEnd + 1);
                if (replacementEnd < 0) {
                    throw new IllegalArgumentException("Invalid rule in ssl.principal.mapping.rules at '"
                            + text.substring(i) + "': expected RULE:pattern/replacement/[L|U]");
                }
                String pattern = text.substring(i + 5, patternEnd);
                String replacement = text.substring(patternEnd + 1, replacementEnd);
                i = replacementEnd + 1;
                char caseChange = ' ';
                if (i < text.length() && (text.charAt(i) == 'L' || text.charAt(i) == 'U')) {
                    caseChange = text.charAt(i++);
                }
                try {
                    parsed.add(new Rule(Pattern.compile(pattern), replacement, caseChange));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("Invalid pattern '" + pattern
                            + "' in ssl.principal.mapping.rules: " + e.getMessage(), e);
                }
            } else {
                throw new IllegalArgumentException("Invalid rule in ssl.principal.mapping.rules at '"
                        + text.substring(i) + "': expected DEFAULT or RULE:pattern/replacement/[L|U]");
            }
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i < text.length() && text.charAt(i) != ',') {
                throw new IllegalArgumentException("Invalid rule in ssl.principal.mapping.rules: unexpected '"
                        + text.substring(i) + "'");
            }
        }
        return new SslPrincipalMapper(List.copyOf(parsed), text);
    }

    private static int unescapedSlash(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            if (text.charAt(i) == '\\') {
                i++;
            } else if (text.charAt(i) == '/') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The principal name of a distinguished name.
     *
     * @throws IllegalArgumentException when no rule applies
     */
    public String name(String distinguishedName) {
        for (Rule rule : rules) {
            String name = rule.apply(distinguishedName);
            if (name != null) {
                return name;
            }
        }
        throw new IllegalArgumentException("no rule of ssl.principal.mapping.rules (" + text + ") applies to "
                + distinguishedName);
    }
}
