package ai.lepton.server.http;

import ai.lepton.api.ApiError;
import ai.lepton.api.InferenceError;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3 document of the route table: paths, path parameters, request and response bodies
 * (schemas from the wire records of {@code lepton-api}), and the one error body. Generated, never
 * written by hand, so it lists exactly the routes the server registers.
 */
public final class OpenApi {
  private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)}");

  private OpenApi() {}

  public static Map<String, Object> document(List<Route> routes, String version) {
    Map<String, Object> schemas = new TreeMap<>();
    schema(ApiError.class, schemas);
    Map<String, Object> paths = new TreeMap<>();
    for (Route r : routes) {
      Map<String, Object> op = new LinkedHashMap<>();
      op.put("tags", List.of(r.tag()));
      op.put("summary", r.summary());
      op.put("operationId", operationId(r));
      List<Object> params = new ArrayList<>();
      Matcher m = PARAM.matcher(r.path());
      while (m.find()) {
        params.add(Map.of("name", m.group(1), "in", "path", "required", true,
            "schema", Map.of("type", "string")));
      }
      if (!params.isEmpty()) {
        op.put("parameters", params);
      }
      if (r.request() != null) {
        op.put("requestBody", Map.of("required", true, "content",
            Map.of("application/json", Map.of("schema", schema(r.request(), schemas)))));
      }
      Map<String, Object> ok = new LinkedHashMap<>();
      ok.put("description", "success");
      if (r.response() != null) {
        ok.put("content", Map.of("application/json", Map.of("schema",
            schema(r.response(), schemas))));
      }
      Map<String, Object> responses = new LinkedHashMap<>();
      responses.put(Integer.toString(r.status()), ok);
      // the Open Inference Protocol's routes answer errors with its own {"error": "..."} body
      Class<?> error = r.path().startsWith("/v2") ? InferenceError.class : ApiError.class;
      responses.put("default", Map.of("description", "an error", "content",
          Map.of("application/json", Map.of("schema", schema(error, schemas)))));
      op.put("responses", responses);
      if (r.access() == Route.Access.SIGNED_IN) {
        op.put("security", List.of(Map.of("bearer", List.of()), Map.of("session", List.of())));
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.path(),
          p -> new TreeMap<String, Object>());
      item.put(r.method().name().toLowerCase(Locale.ROOT), op);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("openapi", "3.0.3");
    doc.put("info", Map.of("title", "Lepton API", "version", version,
        "description", "The Lepton platform's REST API. Every error answers with the ApiError body."));
    doc.put("paths", paths);
    doc.put("components", Map.of("schemas", schemas, "securitySchemes", Map.of(
        "bearer", Map.of("type", "http", "scheme", "bearer"),
        "session", Map.of("type", "apiKey", "in", "cookie", "name", "lepton_session"))));
    return doc;
  }

  private static String operationId(Route r) {
    StringBuilder id = new StringBuilder(r.method().name().toLowerCase(Locale.ROOT));
    for (String part : r.path().split("[/{}-]")) {
      if (!part.isEmpty() && !part.equals("api") && !part.equals("v1")) {
        id.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return id.toString();
  }

  private static Map<String, Object> ref(Class<?> type) {
    return Map.of("$ref", "#/components/schemas/" + name(type));
  }

  private static String name(Class<?> type) {
    return type.getName().substring(type.getPackageName().length() + 1).replace('$', '.');
  }

  /** The schema of {@code type}, registering records in {@code schemas}. */
  private static Map<String, Object> schema(Type type, Map<String, Object> schemas) {
    if (type instanceof ParameterizedType p) {
      Class<?> raw = (Class<?>) p.getRawType();
      if (Collection.class.isAssignableFrom(raw)) {
        return Map.of("type", "array", "items", schema(p.getActualTypeArguments()[0], schemas));
      }
      if (Map.class.isAssignableFrom(raw)) {
        return Map.of("type", "object", "additionalProperties",
            schema(p.getActualTypeArguments()[1], schemas));
      }
      return Map.of("type", "object");
    }
    Class<?> c = (Class<?>) type;
    if (c == String.class) {
      return Map.of("type", "string");
    }
    if (c == Instant.class) {
      return Map.of("type", "string", "format", "date-time");
    }
    if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
      return Map.of("type", "integer");
    }
    if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
      return Map.of("type", "number");
    }
    if (c == boolean.class || c == Boolean.class) {
      return Map.of("type", "boolean");
    }
    if (c.isEnum()) {
      List<String> values = new ArrayList<>();
      for (Object v : c.getEnumConstants()) {
        values.add(v.toString());
      }
      return Map.of("type", "string", "enum", values);
    }
    if (c.isArray()) {
      return Map.of("type", "array", "items", schema(c.getComponentType(), schemas));
    }
    if (c.isRecord()) {
      String name = name(c);
      if (!schemas.containsKey(name)) {
        schemas.put(name, Map.of()); // a placeholder: records may refer to themselves
        Map<String, Object> props = new LinkedHashMap<>();
        for (RecordComponent rc : c.getRecordComponents()) {
          props.put(rc.getName(), schema(rc.getGenericType(), schemas));
        }
        schemas.put(name, Map.of("type", "object", "properties", props));
      }
      return ref(c);
    }
    return Map.of("type", "object");
  }
}
