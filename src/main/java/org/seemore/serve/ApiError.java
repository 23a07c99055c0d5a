package org.seemore.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the server refuses, as OpenAI reports it: an HTTP status and
 * {@code {"error": {"message", "type", "param", "code"}}}.
 */
public final class ApiError extends RuntimeException {
    final int status;
    final String type, param, code;

    public ApiError(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** 400: the request is malformed or asks for something the server does not do. */
    static ApiError badRequest(String param, String code, String message) {
        return new ApiError(400, "invalid_request_error", code, param, message);
    }

    public int status() { return status; }

    public String code() { return code; }

    Map<String, Object> body() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }
}
