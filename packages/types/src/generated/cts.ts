/**
 * GENERATED FILE: do not edit. Built by packages/types/scripts/generate.mjs with
 * openapi-typescript from @cts-csms/openapi/cts.json; edit the spec in openapi/cts/.
 */
export interface paths {
    "/v3/{project_id}/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Project ID. See "Obtaining an Account ID and Project ID" in the CTS API Reference.
                 * @example 24edf66e79d04187acb99a463e610764
                 */
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        get?: never;
        /**
         * Modify a key event notification
         * @description Replaces the configuration of the key event notification identified by `notification_id`.
         *
         *     **Server-enforced rules** (beyond the schema):
         *     - `notification_id` must name an existing notification of this project, else
         *       `404 CTS.0403`.
         *     - `status: enabled` requires `topic_id` (`400`).
         *     - `notification_name` stays unique within the project: renaming onto another
         *       notification's name is rejected with `400 CTS.0400`.
         *     - `notify_user_list`: at most 10 groups and at most 50 users in total (`400 CTS.0003`).
         *     - `notification_id`, `project_id` and `create_time` never change; `notification_type` is
         *       derived again from the new `topic_id` (kept when no `topic_id` is sent).
         *     - This is a replacement: optional fields left out (`operations`, `notify_user_list`,
         *       `topic_id`, `filter`, `agency_name`) are cleared.
         */
        put: operations["updateNotification"];
        /**
         * Create a key event notification
         * @description Creates a key event notification: when a matching operation is traced, CTS notifies the SMN
         *     topic or FunctionGraph function given in `topic_id`.
         *
         *     **Server-enforced rules** (beyond the schema):
         *     - `notification_name` is unique within the project; a duplicate is rejected with `400 CTS.0400`.
         *     - `notify_user_list` holds at most 10 user groups and **at most 50 users in total** across
         *       all groups; more is rejected with `400 CTS.0003`.
         *     - `operation_type: customized` requires a non-empty `operations` list (`400`).
         *     - The service assigns `notification_id` (a UUID), `create_time` (milliseconds),
         *       `project_id`, and derives `notification_type` from `topic_id` (`urn:smn:…` → `smn`,
         *       `urn:fss:…` → `fun`).
         *     - `status` is `enabled` when a `topic_id` is given and `disabled` otherwise (a notification
         *       cannot be enabled without a topic).
         */
        post: operations["createNotification"];
        /**
         * Delete key event notifications
         * @description Deletes one or more key event notifications, given as a comma-separated list of IDs in
         *     `notification_id`.
         *
         *     **Server-enforced rules** (beyond the schema):
         *     - Repeated IDs in the list count once.
         *     - **Partial deletion**, as the reference describes ("some key event notifications failed to
         *       be deleted" → 404): every listed ID that exists in this project is deleted; if any ID does
         *       not exist, the response is `404 CTS.0403` naming the missing IDs, and the existing ones
         *       are still deleted. When all IDs exist the response is `204`.
         *     - IDs of another project count as missing and are never deleted.
         */
        delete: operations["deleteNotification"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v3/{project_id}/notifications/{notification_type}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Project ID. See "Obtaining an Account ID and Project ID" in the CTS API Reference.
                 * @example 24edf66e79d04187acb99a463e610764
                 */
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        /**
         * Query key event notifications
         * @description Lists the key event notifications of one type in the project, optionally only the one with a
         *     given name.
         *
         *     **Server-enforced rules** (beyond the schema):
         *     - Only notifications of this project whose `notification_type` equals the path parameter
         *       are returned, oldest first. A notification without a topic is listed under `smn`.
         *     - `notification_name` is an exact match; an unknown name gives an empty list, not `404`.
         */
        get: operations["listNotifications"];
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
         * TopicUrn
         * @description SMN topic URN or FunctionGraph function URN.
         *     - SMN topic: `urn:smn:{region}:{project_id}:{topic_name}`, for example
         *       `urn:smn:regionId:f96188c7ccaf4ffba0c9aa149ab2bd57:test_topic_v2` (query SMN topics to get one).
         *     - FunctionGraph function: `urn:fss:{region}:{project_id}:function:{package}:{function_name}[:{version}]`,
         *       for example `urn:fss:xxxxxxxxx:7aad83af3e8d42e99ac194e8419e2c9b:function:default:test`.
         *
         *     The prefix decides `notification_type` (`smn` or `fun`).
         * @example urn:smn:regionId:f96188c7ccaf4ffba0c9aa149ab2bd57:test_topic_v2
         */
        TopicUrn: string;
        /**
         * NotificationId
         * Format: uuid
         * @description Unique key event notification ID (a UUID assigned by the service).
         * @example cda8fd83-d08c-46f0-b914-1453a6a85c00
         */
        NotificationId: string;
        /**
         * NotificationName
         * @description Key event notification name, 1 to 64 letters (Latin or CJK), digits, `_` or `-`. Unique within a project.
         * @example keyOperate_info_cfwy
         */
        NotificationName: string;
        /**
         * OperationType
         * @description Operation type.
         *     - `complete`: notifications are sent when any supported operation occurs on any connected
         *       cloud service; `operations` and `notify_user_list` need not be given.
         *     - `customized`: notifications are sent only when an operation listed in `operations` occurs.
         * @enum {string}
         */
        OperationType: "complete" | "customized";
        /**
         * Operations
         * @description A set of traces on one resource type of one cloud service that trigger the notification.
         */
        Operations: {
            /**
             * @description Cloud service: the upper-case acronym of a cloud service connected with CTS (see
             *     "Supported Services and Operations" in the CTS User Guide).
             * @example CTS
             */
            service_type: string;
            /**
             * @description Resource type.
             * @example tracker
             */
            resource_type: string;
            /**
             * @description Trace names.
             * @example [
             *       "createTracker",
             *       "deleteTracker"
             *     ]
             */
            trace_names: string[];
        };
        /**
         * NotificationUsers
         * @description An IAM user group and the users in it whose operations trigger the notification.
         */
        NotificationUsers: {
            /**
             * @description IAM user group.
             * @example admin
             */
            user_group: string;
            /**
             * @description IAM users.
             * @example [
             *       "test1",
             *       "test2"
             *     ]
             */
            user_list: string[];
        };
        /**
         * NotificationStatus
         * @description Notification status.
         * @enum {string}
         */
        NotificationStatus: "enabled" | "disabled";
        /**
         * FilterRule
         * @description One advanced filter rule, `field op value`, for example `key != value`. Spaces around the
         *     operator are optional.
         *     - `field`: one of `api_version`, `code`, `trace_rating`, `trace_type`, `resource_id`,
         *       `resource_name`.
         *     - `op`: `=` or `!=`.
         *     - `value`, by field:
         *
         *       | field | value |
         *       |---|---|
         *       | `api_version` | 1 to 64 of `a-z A-Z 0-9 _ - .` |
         *       | `code` | 1 to 256 characters |
         *       | `trace_rating` | `normal`, `warning` or `incident` |
         *       | `trace_type` | `ConsoleAction`, `ApiCall` or `SystemAction` |
         *       | `resource_id` | 1 to 350 characters |
         *       | `resource_name` | 1 to 256 characters |
         * @example trace_rating = warning
         */
        FilterRule: string;
        /**
         * Filter
         * @description Advanced filter of the key event notification.
         */
        Filter: {
            /**
             * @description Relationship between the rules.
             *     - `AND`: the notification is triggered only if all rules match.
             *     - `OR`: the notification is triggered if at least one rule matches.
             * @example AND
             * @enum {string}
             */
            condition: "AND" | "OR";
            /**
             * @description Whether the advanced filter is enabled.
             * @example true
             */
            is_support_filter: boolean;
            /**
             * @description Advanced filter rules, each of the form `field op value`.
             * @example [
             *       "code != 200",
             *       "trace_rating = warning"
             *     ]
             */
            rule: components["schemas"]["FilterRule"][];
        };
        /**
         * AgencyName
         * @description Cloud service agency name. If set to `cts_admin_trust`, a cloud service agency named
         *     `cts_admin_trust` is created automatically when the notification is created or modified.
         * @enum {string}
         */
        AgencyName: "cts_admin_trust";
        /**
         * UpdateNotificationRequestBody
         * @description The full new state of an existing key event notification, identified by `notification_id`.
         *     Fields left out are cleared (this is a replacement, not a patch); `notification_id`,
         *     `notification_type`, `project_id` and `create_time` are kept.
         */
        UpdateNotificationRequestBody: {
            notification_id: components["schemas"]["NotificationId"];
            notification_name: components["schemas"]["NotificationName"];
            operation_type: components["schemas"]["OperationType"];
            /** @description Operation list. Required and non-empty when `operation_type` is `customized`. */
            operations?: components["schemas"]["Operations"][];
            /**
             * @description Users whose operations trigger the notification: at most 10 user groups and at most 50
             *     users in total across all groups.
             */
            notify_user_list?: components["schemas"]["NotificationUsers"][];
            status: components["schemas"]["NotificationStatus"];
            topic_id?: components["schemas"]["TopicUrn"];
            filter?: components["schemas"]["Filter"];
            agency_name?: components["schemas"]["AgencyName"];
        } & (unknown & unknown);
        /**
         * NotificationType
         * @description Notification type, derived by the service from `topic_id`: `smn` for an SMN topic URN
         *     (`urn:smn:…`), `fun` for a FunctionGraph function URN (`urn:fss:…`).
         * @enum {string}
         */
        NotificationType: "smn" | "fun";
        /**
         * Notification
         * @description A key event notification as stored by the service.
         */
        Notification: {
            notification_id: components["schemas"]["NotificationId"];
            notification_name: components["schemas"]["NotificationName"];
            operation_type: components["schemas"]["OperationType"];
            /** @description Operation list. */
            operations?: components["schemas"]["Operations"][];
            /** @description Users whose operations trigger the notification. */
            notify_user_list?: components["schemas"]["NotificationUsers"][];
            status: components["schemas"]["NotificationStatus"];
            topic_id?: components["schemas"]["TopicUrn"];
            notification_type?: components["schemas"]["NotificationType"];
            /**
             * @description Project ID.
             * @example 24edf66e79d04187acb99a463e610764
             */
            project_id: string;
            /**
             * Format: int64
             * @description Time the notification was created, in milliseconds since the Unix epoch (UTC).
             * @example 1634001495876
             */
            create_time: number;
            filter?: components["schemas"]["Filter"];
            agency_name?: components["schemas"]["AgencyName"];
        };
        /**
         * CtsError
         * @description CTS error envelope. Every non-2xx response of the CTS API carries this body.
         */
        CtsError: {
            /**
             * @description Error code, in the form `CTS.XXXX`.
             * @example CTS.0003
             */
            error_code: string;
            /**
             * @description Error description. For validation errors it names the offending field.
             * @example request/body/notification_name must NOT have fewer than 1 characters
             */
            error_msg: string;
        };
        /**
         * CreateNotificationRequestBody
         * @description A new key event notification. Read-only fields (`notification_id`, `status`, `notification_type`, `project_id`, `create_time`) cannot be sent.
         */
        CreateNotificationRequestBody: {
            notification_name: components["schemas"]["NotificationName"];
            operation_type: components["schemas"]["OperationType"];
            /** @description Operation list. Required and non-empty when `operation_type` is `customized`. */
            operations?: components["schemas"]["Operations"][];
            /**
             * @description Users whose operations trigger the notification: at most 10 user groups and at most 50
             *     users in total across all groups.
             */
            notify_user_list?: components["schemas"]["NotificationUsers"][];
            topic_id?: components["schemas"]["TopicUrn"];
            filter?: components["schemas"]["Filter"];
            agency_name?: components["schemas"]["AgencyName"];
        };
        /** ListNotificationsResponseBody */
        ListNotificationsResponseBody: {
            /** @description Key event notifications of the requested type, oldest first. */
            notifications: components["schemas"]["Notification"][];
        };
    };
    responses: {
        /** @description The request is invalid; `error_msg` names the offending field. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CtsError"];
            };
        };
        /** @description Authentication failed: credentials are missing, malformed, unknown or stale. */
        Unauthorized: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CtsError"];
            };
        };
        /** @description The credentials are valid but may not act on this project. */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CtsError"];
            };
        };
        /** @description The requested resource does not exist in this project. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CtsError"];
            };
        };
        /** @description The request body exceeds 1 MiB. */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CtsError"];
            };
        };
        /** @description The request body is not `application/json`. */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CtsError"];
            };
        };
        /** @description The request failed to be executed. */
        InternalServerError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CtsError"];
            };
        };
        /** @description The service is unavailable. */
        ServiceUnavailable: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["CtsError"];
            };
        };
    };
    parameters: {
        /**
         * @description Project ID. See "Obtaining an Account ID and Project ID" in the CTS API Reference.
         * @example 24edf66e79d04187acb99a463e610764
         */
        ProjectId: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    updateNotification: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Project ID. See "Obtaining an Account ID and Project ID" in the CTS API Reference.
                 * @example 24edf66e79d04187acb99a463e610764
                 */
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateNotificationRequestBody"];
            };
        };
        responses: {
            /** @description The notification was modified; the body is the full resource. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Notification"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    createNotification: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description Project ID. See "Obtaining an Account ID and Project ID" in the CTS API Reference.
                 * @example 24edf66e79d04187acb99a463e610764
                 */
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateNotificationRequestBody"];
            };
        };
        responses: {
            /** @description The notification was created. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Notification"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    deleteNotification: {
        parameters: {
            query: {
                /** @description One notification ID, or several separated by commas (at most 100). */
                notification_id: string;
            };
            header?: never;
            path: {
                /**
                 * @description Project ID. See "Obtaining an Account ID and Project ID" in the CTS API Reference.
                 * @example 24edf66e79d04187acb99a463e610764
                 */
                project_id: components["parameters"]["ProjectId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every listed notification was deleted. */
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
            503: components["responses"]["ServiceUnavailable"];
        };
    };
    listNotifications: {
        parameters: {
            query?: {
                /** @description Notification name. If left out, every notification of the type is returned. */
                notification_name?: components["schemas"]["NotificationName"];
            };
            header?: never;
            path: {
                /**
                 * @description Project ID. See "Obtaining an Account ID and Project ID" in the CTS API Reference.
                 * @example 24edf66e79d04187acb99a463e610764
                 */
                project_id: components["parameters"]["ProjectId"];
                /**
                 * @description Notification type. `smn` for SMN topics, `fun` for FunctionGraph functions.
                 * @example smn
                 */
                notification_type: components["schemas"]["NotificationType"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The query is successful. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListNotificationsResponseBody"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            500: components["responses"]["InternalServerError"];
            503: components["responses"]["ServiceUnavailable"];
        };
    };
}
