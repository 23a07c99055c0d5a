package org.seemore.data.text.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.InterpreterFactory;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.JinjavaInterpreterFactory;
import com.hubspot.jinjava.lib.expression.ExpressionStrategy;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.tree.output.RenderedOutputNode;
import com.hubspot.jinjava.tree.parse.ExpressionToken;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * Jinjava set up as transformers sets up Jinja2 for chat templates
 * ({@code ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)} with loop controls; the
 * whitespace control is done by {@link TemplateSource} before Jinjava sees the template, and Jinjava keeps
 * every character of the output): iteration over dict keys, Python's str methods
 * ({@link PythonStrings}), a {@code tojson} that is {@code json.dumps} ({@link PythonJson}),
 * {@code raise_exception}, {@code strftime_now}, the {@code {% generation %}} block, {@code items}, a
 * {@code trim} that is Python's {@code strip}, and
 * booleans and floats printed as Python prints them ({@code True}, {@code 1e-05}).
 */
final class JinjaEngine {
    /** The context variable holding the time {@code strftime_now} formats (so that tests can fix it). */
    static final String NOW = "__seemore_now__";

    static final Jinjava JINJAVA = create();

    private JinjaEngine() {}

    /** What {@code raise_exception(message)} throws; the renderer turns it into a {@link ChatTemplateException}. */
    static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message);
        }
    }

    private static Jinjava create() {
        LegacyOverrides overrides = LegacyOverrides.newBuilder()
                .withAllowAdjacentTextNodes(true)
                .withIterateOverMapKeys(true)
                .withEvaluateMapKeys(true)
                .withKeepNullableLoopValues(true)
                .withHandleBackslashInQuotesOnly(true)
                .withUsePyishObjectMapper(true)
                // Natural operator precedence stays off: with it Jinjava reads "not x is defined" as
                // "(not x) is defined". TemplateSource parenthesizes "not" instead.
                .build();
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStrings());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        Jinjava jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withKeepTrailingNewline(true)
                .withLegacyOverrides(overrides)
                .withElResolver(resolver)
                .withInterperterFactory(new PythonInterpreters())
                .build());
        var context = jinjava.getGlobalContext();
        context.registerTag(new GenerationTag());
        context.registerFunction(new ELFunctionDefinition("", "raise_exception", JinjaEngine.class, "raiseException", String.class));
        context.registerFunction(new ELFunctionDefinition("", "strftime_now", JinjaEngine.class, "strftimeNow", String.class));
        context.registerFilter(new ToJson());
        context.registerFilter(new Items());
        context.registerFilter(new Trim());
        return jinjava;
    }

    /** Gives every render's context the Python way of printing values (a render does not inherit it from the global context). */
    static final class PythonInterpreters implements InterpreterFactory {
        private final JinjavaInterpreterFactory plain = new JinjavaInterpreterFactory();

        @Override
        public JinjavaInterpreter newInstance(JinjavaInterpreter original) {
            JinjavaInterpreter interpreter = plain.newInstance(original);
            interpreter.getContext().setExpressionStrategy(new PythonPrinting());
            return interpreter;
        }

        @Override
        public JinjavaInterpreter newInstance(Jinjava jinjava, Context context, JinjavaConfig config) {
            context.setExpressionStrategy(new PythonPrinting());
            return plain.newInstance(jinjava, context, config);
        }
    }

    public static Object raiseException(String message) {
        throw new Raised(message);
    }

    public static String strftimeNow(String format) {
        Object now = JinjavaInterpreter.getCurrent().getContext().get(NOW);
        return StrftimeFormatter.format(now instanceof ZonedDateTime time ? time : ZonedDateTime.now(), format);
    }

    /** {@code {% generation %}...{% endgeneration %}} only marks assistant text for transformers' masks: the body renders unchanged. */
    static final class GenerationTag implements Tag {
        @Override
        public String getName() {
            return "generation";
        }

        @Override
        public String getEndTagName() {
            return "endgeneration";
        }

        @Override
        public String interpret(TagNode node, JinjavaInterpreter interpreter) {
            StringBuilder out = new StringBuilder();
            for (Node child : node.getChildren()) out.append(child.render(interpreter).getValue());
            return out.toString();
        }
    }

    /** transformers' {@code tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}. */
    static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
            return filter(value, interpreter, (Object[]) args, Map.of());
        }

        @Override
        public Object filter(Object value, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object ensureAscii = kwargs.getOrDefault("ensure_ascii", args.length > 0 ? args[0] : false);
            Object indent = kwargs.getOrDefault("indent", args.length > 1 ? args[1] : null);
            Object separators = kwargs.getOrDefault("separators", args.length > 2 ? args[2] : null);
            Object sortKeys = kwargs.getOrDefault("sort_keys", args.length > 3 ? args[3] : false);
            List<String> separatorList = null;
            if (separators instanceof List<?> list && list.size() == 2) separatorList = List.of(String.valueOf(list.get(0)), String.valueOf(list.get(1)));
            return PythonJson.dumps(value, truthy(ensureAscii), indent, separatorList, truthy(sortKeys));
        }

        private static boolean truthy(Object value) {
            return value instanceof Boolean b ? b : value instanceof Number n ? n.doubleValue() != 0 : value != null && !value.toString().isEmpty();
        }
    }

    /** Jinja2's {@code trim(chars=None)}: Python's {@code str.strip}, which also strips no-break spaces. */
    static final class Trim implements Filter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
            String text = value == null ? "" : interpreter.getAsString(value);
            return PythonStrings.strip(text, args.length > 0 ? args[0] : null, true, true);
        }
    }

    /** Jinja2's {@code items} filter: a dict's (key, value) pairs. */
    static final class Items implements Filter {
        @Override
        public String getName() {
            return "items";
        }

        @Override
        public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
            List<List<Object>> pairs = new ArrayList<>();
            if (value instanceof Map<?, ?> map) map.forEach((k, v) -> pairs.add(java.util.Arrays.asList(k, v)));
            return pairs;
        }
    }

    /** {@code {{ x }}} as Jinja2 prints it: Python's {@code True}/{@code False} and float {@code repr}. */
    static final class PythonPrinting implements ExpressionStrategy {
        @Override
        public RenderedOutputNode interpretOutput(ExpressionToken token, JinjavaInterpreter interpreter) {
            Object value = interpreter.resolveELExpression(token.getExpr(), token.getLineNumber());
            String text = switch (value) {
                case Boolean b -> b ? "True" : "False";
                case Double d -> PythonJson.floatRepr(d);
                case Float f -> PythonJson.floatRepr(f);
                case null -> "";
                default -> interpreter.getAsString(value);
            };
            return new RenderedOutputNode(text);
        }
    }
}
