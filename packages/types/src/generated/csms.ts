/**
 * GENERATED FILE: do not edit. Built by packages/types/scripts/generate.mjs with
 * openapi-typescript from @cts-csms/openapi/csms.json; edit the spec in openapi/csms/.
 */
export interface paths {
    "/v1/{project_id}/csms/events": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Project ID (32 characters when issued by IAM).
                 * @example dc3b7c85759141a991da17423c0f2068
                 */
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        /**
         * Query the event list
         * @description Lists the events of the project, a page at a time, ordered by name.
         *
         *     **Server-enforced rules** (beyond the schema):
         *     - Pages are ordered by `name` (code-point order), so paging is stable: following
         *       `page_info.next_marker` returns every event exactly once.
         *     - `marker` is the name of the last event of the previous page; the page starts after it
         *       (the marker need not exist any more).
         *     - `page_info.next_marker` is present only when more events follow; `previous_marker`
         *       echoes the `marker` sent.
         */
        get: operations["listSecretEvents"];
        put?: never;
        /**
         * Create an event
         * @description Creates an event that can be configured on one or more secrets. While the event is
         *     `ENABLED`, a basic event type of it occurring on such a secret sends a notification to the
         *     event's notification target.
         *
         *     **Server-enforced rules** (beyond the schema):
         *     - `name` is unique within the project; a duplicate is rejected with `400 CSMS.0002`.
         *     - The service assigns `event_id` (a UUID) and sets `create_time` = `update_time` (milliseconds).
         *     - The notification target is not checked for existence (as in the real service).
         */
        post: operations["createSecretEvent"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/{project_id}/csms/events/{event_name}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Project ID (32 characters when issued by IAM).
                 * @example dc3b7c85759141a991da17423c0f2068
                 */
                project_id: components["parameters"]["ProjectId"];
                /**
                 * @description Event notification name.
                 * @example demo-event
                 */
                event_name: components["parameters"]["EventNamePath"];
            };
            cookie?: never;
        };
        /**
         * Query an event
         * @description Returns the metadata of one event.
         *
         *     **Server-enforced rules:** an event name unknown in this project gives `404 CSMS.0005`.
         */
        get: operations["showSecretEvent"];
        /**
         * Update an event
         * @description Updates the metadata of an event: its state, its basic event types and its notification
         *     target. Fields left out keep their value.
         *
         *     **Server-enforced rules** (beyond the schema):
         *     - An unknown event name gives `404 CSMS.0005`.
         *     - `update_time` is set to the time of the update; `name`, `event_id` and `create_time` never
         *       change.
         */
        put: operations["updateSecretEvent"];
        post?: never;
        /**
         * Delete an event
         * @description Deletes an event immediately; it cannot be restored.
         *
         *     **Server-enforced rules:** an unknown event name gives `404 CSMS.0005`. (The real service also
         *     refuses to delete an event still configured on a secret; secrets are outside this API, so
         *     the reference server never sees such a reference.)
         */
        delete: operations["deleteSecretEvent"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/{project_id}/csms/notification-records": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Project ID (32 characters when issued by IAM).
                 * @example dc3b7c85759141a991da17423c0f2068
                 */
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        /**
         * Query notification records
         * @description Lists the event notifications triggered in the last three months, a page at a time, oldest
         *     first.
         *
         *     **Server-enforced rules** (beyond the schema):
         *     - Paging works as for events: pass `page_info.next_marker` as `marker` to get the next page;
         *       each record appears exactly once; `next_marker` is absent on the last page.
         *     - The reference server keeps no secrets, so events never fire there and the list is empty.
         */
        get: operations["listNotificationRecords"];
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
         * EventName
         * @description Event notification name, 1 to 64 of `a-z A-Z 0-9 _ -`. Unique within a project.
         * @example demo-event
         */
        EventName: string;
        /**
         * EventType
         * @description Basic event type.
         *     - `SECRET_VERSION_CREATED`: a secret version was created.
         *     - `SECRET_VERSION_EXPIRED`: a secret version expired.
         *     - `SECRET_ROTATED`: the secret was rotated.
         *     - `SECRET_DELETED`: the secret was deleted.
         * @enum {string}
         */
        EventType: "SECRET_VERSION_CREATED" | "SECRET_VERSION_EXPIRED" | "SECRET_ROTATED" | "SECRET_DELETED";
        /**
         * EventTypes
         * @description Basic event types of the event notification; each at most once.
         * @example [
         *       "SECRET_VERSION_CREATED",
         *       "SECRET_VERSION_EXPIRED"
         *     ]
         */
        EventTypes: components["schemas"]["EventType"][];
        /**
         * EventState
         * @description Whether the event takes effect. Its basic event types are triggered only while it is `ENABLED`.
         * @enum {string}
         */
        EventState: "ENABLED" | "DISABLED";
        /**
         * Timestamp
         * Format: int64
         * @description Milliseconds since the Unix epoch (UTC).
         * @example 1581507580000
         */
        Timestamp: number;
        /**
         * EventNotification
         * @description The notification target of an event. The service does not check that the target exists; a
         *     missing target makes the notification fail when the event fires.
         */
        EventNotification: {
            /**
             * @description Type of the object the notification is sent to, for example `SMN`.
             * @example SMN
             */
            target_type: string;
            /**
             * @description ID of the object the notification is sent to, for example an SMN topic URN.
             * @example urn:smn:cn-north-4:dc3b7c85759141a991da17423c0f2068:test-poc
             */
            target_id: string;
            /**
             * @description Name of the object the notification is sent to.
             * @example demo-smn-name
             */
            target_name: string;
        };
        /**
         * SecretEvent
         * @description A secret event notification.
         */
        SecretEvent: {
            name: components["schemas"]["EventName"];
            /**
             * Format: uuid
             * @description Resource identifier of the event, assigned by the service.
             * @example bb6a3d22-dc93-47ac-b5bd-88df7ad35f1e
             */
            event_id: string;
            event_types: components["schemas"]["EventTypes"];
            state: components["schemas"]["EventState"];
            create_time: components["schemas"]["Timestamp"];
            update_time: components["schemas"]["Timestamp"];
            notification: components["schemas"]["EventNotification"];
        };
        /**
         * PageInfo
         * @description Pagination information.
         */
        PageInfo: {
            /**
             * @description Marker of the next page: pass it as `marker` to get the next page. Absent on the last page.
             * @example demo-event
             */
            next_marker?: string;
            /**
             * @description The `marker` this page was requested with. Absent on the first page.
             * @example a-event
             */
            previous_marker?: string;
            /**
             * Format: int32
             * @description Number of records returned on this page.
             * @example 2
             */
            current_count: number;
        };
        /** ListSecretEventsResponseBody */
        ListSecretEventsResponseBody: {
            /** @description Events of this page, ordered by name. */
            events: components["schemas"]["SecretEvent"][];
            page_info: components["schemas"]["PageInfo"];
        };
        /** ErrorDetail */
        ErrorDetail: {
            /**
             * @description Error code, in the form `CSMS.XXXX`.
             * @example CSMS.0002
             */
            error_code: string;
            /**
             * @description Error information. For validation errors it names the offending field.
             * @example request/body/state must be equal to one of the allowed values: ENABLED, DISABLED
             */
            error_msg: string;
        };
        /**
         * CsmsError
         * @description CSMS error envelope. Every non-2xx response of the CSMS API carries this body.
         */
        CsmsError: {
            error: components["schemas"]["ErrorDetail"];
        };
        /**
         * CreateSecretEventRequestBody
         * @description A new secret event. `event_id`, `create_time` and `update_time` are assigned by the service and cannot be sent.
         */
        CreateSecretEventRequestBody: {
            name: components["schemas"]["EventName"];
            event_types: components["schemas"]["EventTypes"];
            state: components["schemas"]["EventState"];
            notification: components["schemas"]["EventNotification"];
        };
        /** SecretEventResponseBody */
        SecretEventResponseBody: {
            event: components["schemas"]["SecretEvent"];
        };
        /**
         * UpdateSecretEventRequestBody
         * @description The event metadata to change. Fields left out keep their value.
         */
        UpdateSecretEventRequestBody: {
            state?: components["schemas"]["EventState"];
            event_types?: components["schemas"]["EventTypes"];
            notification?: components["schemas"]["EventNotification"];
        };
        /**
         * NotificationRecord
         * @description A notification sent because an event fired on a secret (kept for three months).
         */
        NotificationRecord: {
            event_name: components["schemas"]["EventName"];
            /**
             * @description The basic event type that fired (`SECRET_ROTATED_FAILED` exists only here).
             * @enum {string}
             */
            trigger_event_type: "SECRET_VERSION_CREATED" | "SECRET_VERSION_EXPIRED" | "SECRET_ROTATED" | "SECRET_DELETED" | "SECRET_ROTATED_FAILED";
            create_time: components["schemas"]["Timestamp"];
            /**
             * @description Name of the secret the event fired on.
             * @example db-password
             */
            secret_name?: string;
            /**
             * @description Secret type.
             * @enum {string}
             */
            secret_type?: "COMMON" | "RDS" | "RDS-FG" | "GaussDB-FG";
            /** @description Name of the object the notification was sent to. */
            notification_target_name?: string;
            /** @description ID of the object the notification was sent to. */
            notification_target_id?: string;
            /** @description The notification content. */
            notification_content?: string;
            /**
             * @description - `SUCCESS`: the notification was sent.
             *     - `FAIL`: sending failed.
             *     - `INVALID`: the configured target is invalid, so nothing was sent.
             * @enum {string}
             */
            notification_status: "SUCCESS" | "FAIL" | "INVALID";
        };
        /** ListNotificationRecordsResponseBody */
        ListNotificationRecordsResponseBody: {
            /** @description Records of this page, oldest first. */
            records: components["schemas"]["NotificationRecord"][];
            page_info: components["schemas"]["PageInfo"];
        };
    };
    responses: {
        /** @description The request is invalid; `error_msg` names the offending field. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CsmsError"];
            };
        };
        /** @description Authentication failed: credentials are missing, malformed, unknown or stale. */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CsmsError"];
            };
        };
        /** @description The credentials are valid but may not act on this project. */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CsmsError"];
            };
        };
        /** @description The requested resource does not exist in this project. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CsmsError"];
            };
        };
        /** @description Internal service error. */
        InternalServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CsmsError"];
            };
        };
        /** @description The server received an invalid response from an upstream server. */
        BadGateway: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CsmsError"];
            };
        };
        /** @description Gateway timed out. */
        GatewayTimeout: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CsmsError"];
            };
        };
        /** @description The request body exceeds 1 MiB. */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CsmsError"];
            };
        };
        /** @description The request body is not `application/json`. */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CsmsError"];
            };
        };
    };
    parameters: {
        /**
         * @description Project ID (32 characters when issued by IAM).
         * @example dc3b7c85759141a991da17423c0f2068
         */
        ProjectId: string;
        /**
         * @description Number of records on each page, 1 to 1000 (default 50).
         * @example 50
         */
        Limit: number;
        /**
         * @description Name of the last event of the previous page (the previous page's `page_info.next_marker`).
         *     Left out, the first page is returned.
         * @example demo-event
         */
        EventMarker: components["schemas"]["EventName"];
        /**
         * @description Event notification name.
         * @example demo-event
         */
        EventNamePath: components["schemas"]["EventName"];
        /**
         * @description The previous page's `page_info.next_marker` (an opaque position in the record list). Left out,
         *     the first page is returned.
         * @example 1581507580000-1
         */
        RecordMarker: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listSecretEvents: {
        parameters: {
            query?: {
                /**
                 * @description Number of records on each page, 1 to 1000 (default 50).
                 * @example 50
                 */
                limit?: components["parameters"]["Limit"];
                /**
                 * @description Name of the last event of the previous page (the previous page's `page_info.next_marker`).
                 *     Left out, the first page is returned.
                 * @example demo-event
                 */
                marker?: components["parameters"]["EventMarker"];
            };
            header?: never;
            path: {
                /**
                 * @description Project ID (32 characters when issued by IAM).
                 * @example dc3b7c85759141a991da17423c0f2068
                 */
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Request succeeded. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListSecretEventsResponseBody"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalServerError"];
            502: components["responses"]["BadGateway"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    createSecretEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Project ID (32 characters when issued by IAM).
                 * @example dc3b7c85759141a991da17423c0f2068
                 */
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateSecretEventRequestBody"];
            };
        };
        responses: {
            /** @description Request succeeded; the body holds the created event. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SecretEventResponseBody"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            500: components["responses"]["InternalServerError"];
            502: components["responses"]["BadGateway"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    showSecretEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Project ID (32 characters when issued by IAM).
                 * @example dc3b7c85759141a991da17423c0f2068
                 */
                project_id: components["parameters"]["ProjectId"];
                /**
                 * @description Event notification name.
                 * @example demo-event
                 */
                event_name: components["parameters"]["EventNamePath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Request succeeded. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SecretEventResponseBody"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalServerError"];
            502: components["responses"]["BadGateway"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    updateSecretEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Project ID (32 characters when issued by IAM).
                 * @example dc3b7c85759141a991da17423c0f2068
                 */
                project_id: components["parameters"]["ProjectId"];
                /**
                 * @description Event notification name.
                 * @example demo-event
                 */
                event_name: components["parameters"]["EventNamePath"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateSecretEventRequestBody"];
            };
        };
        responses: {
            /** @description Request succeeded; the body holds the updated event. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SecretEventResponseBody"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            500: components["responses"]["InternalServerError"];
            502: components["responses"]["BadGateway"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    deleteSecretEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Project ID (32 characters when issued by IAM).
                 * @example dc3b7c85759141a991da17423c0f2068
                 */
                project_id: components["parameters"]["ProjectId"];
                /**
                 * @description Event notification name.
                 * @example demo-event
                 */
                event_name: components["parameters"]["EventNamePath"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Request succeeded; the event is deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalServerError"];
            502: components["responses"]["BadGateway"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
    listNotificationRecords: {
        parameters: {
            query?: {
                /**
                 * @description Number of records on each page, 1 to 1000 (default 50).
                 * @example 50
                 */
                limit?: components["parameters"]["Limit"];
                /**
                 * @description The previous page's `page_info.next_marker` (an opaque position in the record list). Left out,
                 *     the first page is returned.
                 * @example 1581507580000-1
                 */
                marker?: components["parameters"]["RecordMarker"];
            };
            header?: never;
            path: {
                /**
                 * @description Project ID (32 characters when issued by IAM).
                 * @example dc3b7c85759141a991da17423c0f2068
                 */
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Request succeeded. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListNotificationRecordsResponseBody"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalServerError"];
            502: components["responses"]["BadGateway"];
            504: components["responses"]["GatewayTimeout"];
        };
    };
}
