/**
 * Generated from openapi/v1.json by `npm run gen` (run by `npm run openapi`). Do not edit:
 * the test suite fails when this file differs from what the contract generates.
 */

export interface paths {
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness: the process is up
         * @description Answers 200 as long as the process can serve HTTP. It does not touch the database.
         */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness: the database answers and its migrations are current
         * @description Load balancers and the Railway health check use this: 200 only when the database answers and every migration is applied.
         */
        get: operations["getReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * @example {
         *       "status": "ok"
         *     }
         */
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        /**
         * @example {
         *       "status": "ready",
         *       "database": "postgres",
         *       "migrations": "current"
         *     }
         */
        Readiness: {
            /** @enum {string} */
            status: "ready";
            /**
             * @description Which engine the API is connected to.
             * @enum {string}
             */
            database: "postgres" | "pglite";
            /** @enum {string} */
            migrations: "current";
        };
        /**
         * @example {
         *       "type": "https://chartroom.dev/problems/validation-error",
         *       "title": "Invalid input",
         *       "status": 422,
         *       "detail": "1 field is invalid",
         *       "instance": "/v1/example",
         *       "request_id": "2f1c5c1e-8f3b-4c43-9d43-4b1ad2d1c3e5",
         *       "errors": [
         *         {
         *           "loc": [
         *             "body",
         *             "email"
         *           ],
         *           "msg": "Field required",
         *           "type": "missing"
         *         }
         *       ]
         *     }
         */
        Problem: {
            /** @description A URI reference naming the kind of problem (RFC 9457). */
            type: string;
            /** @description A short summary of the kind of problem. */
            title: string;
            /** @description The HTTP status code. */
            status: number;
            /** @description What happened this time, for a person. */
            detail: string;
            /** @description The path of the request that failed. */
            instance?: string;
            /** @description The X-Request-Id of the request, to quote when asking for help. */
            request_id?: string;
            /** @description For invalid input (422): one item per wrong field. */
            errors?: components["schemas"]["ValidationErrorItem"][];
        };
        ValidationErrorItem: {
            /** @description Where the input was wrong: `body`, `query`, `path` or `header`, then the field path. */
            loc: (string | number)[];
            /** @description What is wrong, for a person. */
            msg: string;
            /** @description A stable machine-readable code, e.g. `missing` or `invalid_type`. */
            type: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The process is alive. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
        };
    };
    getReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready to serve requests. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description A dependency (the database) is unavailable; retry later. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
        };
    };
}
