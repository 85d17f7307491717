"""The portal's one settings module. Every value comes from the environment (see env.py).

Zero-setup defaults serve a demo: SQLite in the project folder and Celery tasks run inline.
Production sets DEBUG=0, SECRET_KEY, DATABASE_URL, REDIS_URL and ALLOWED_HOSTS.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from coe_portal.choices import DEFAULT_TOKEN_LIFETIME
from coe_portal.env import env_bool, env_int, env_list, env_str
from coe_portal.sso_config import check_oidc_settings, parse_role_map

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it (or SECRET_KEY_FILE) to a long random value, "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widgets' own templates, for FORM_RENDERER below
    "rest_framework",
    "knox",  # API tokens, hashed at rest (the model is coe_portal.ApiToken)
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, pinned and served by the portal
    "django_filters",
    "django_htmx",
    "template_partials",
    "django_celery_beat",
    "csp",
    "axes",  # the login throttle's attempts (coe_portal/login_throttle.py)
    "coe_portal",
    "usecases",
    "governance",
    "skilling",
    "metrics",
]

MIDDLEWARE = [
    "coe_portal.request_log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the request: a NUL would fail a PostgreSQL query (request_guard).
    "coe_portal.request_guard.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "coe_portal.private_responses.PrivateResponsesMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: it turns an attempt the login throttle refused into its answer.
    "axes.middleware.AxesMiddleware",
]

# The benchmark's query counter and floor page (coe_portal/bench.py); never on in production.
BENCH = env_bool("BENCH", False)
if BENCH:
    MIDDLEWARE.insert(0, "coe_portal.bench.QueryCountMiddleware")

ROOT_URLCONF = "coe_portal.urls"
WSGI_APPLICATION = "coe_portal.wsgi.application"
ASGI_APPLICATION = "coe_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "coe_portal.context_processors.portal",
            ],
        },
    },
]

# Form widgets are rendered by the project's template settings, so templates/django/forms/
# can replace a widget's template with a cheaper one of the same markup (the select's).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: a SQLite file by default; DATABASE_URL (postgres://…) in every real deployment.
# On PostgreSQL each process keeps a pool of connections (Django's own, psycopg_pool) of at
# most DB_POOL_MAX: a request borrows one and gives it back when it ends, so the dev server's
# threads, gunicorn's workers and Celery's share a bounded set instead of each thread keeping
# (and the dev server leaking) its own persistent connection. A borrowed connection is
# checked first, so one a PostgreSQL restart has broken is replaced, not used. DB_POOL_MAX=0
# turns the pool off (persistent connections of DB_CONN_MAX_AGE seconds, health-checked):
# the test suite does, since Django's test databases are created and flushed on one
# connection.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DB_POOL_MAX = env_int("DB_POOL_MAX", 4)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL_MAX > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them; Django must not
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_MAX,
        # How long a request waits for a connection: in an outage it then fails with the
        # error page at once rather than hanging until the client gives up.
        "timeout": env_int("DB_POOL_TIMEOUT", 3),
    }  # conn_health_checks above makes Django check each connection as it is borrowed
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "coe_portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The login throttle, for every password login (the portal's and the admin's): django-axes,
# with the rules in coe_portal/login_throttle.py. Failed attempts are rows in the database,
# so it holds while Redis is down. A username that fails LOGIN_FAILURES_PER_USER_AND_ADDRESS
# times from one address, or an address that fails LOGIN_FAILURES_PER_ADDRESS times over all
# usernames, waits LOGIN_WAIT_SECONDS before its next try; each further failure doubles the
# wait, up to LOGIN_MAX_WAIT_SECONDS. Failures are forgotten LOGIN_FAILURE_WINDOW_SECONDS
# after the latest, and a username's at an address when it logs in there. Only failures from
# the same address count against a person, so nobody can lock someone else out.
LOGIN_FAILURES_PER_USER_AND_ADDRESS = env_int("LOGIN_FAILURES_PER_USER_AND_ADDRESS", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 30)
LOGIN_WAIT_SECONDS = env_int("LOGIN_WAIT_SECONDS", 60)
LOGIN_MAX_WAIT_SECONDS = env_int("LOGIN_MAX_WAIT_SECONDS", 30 * 60)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 60 * 60)
if not 0 < LOGIN_FAILURES_PER_USER_AND_ADDRESS <= LOGIN_FAILURES_PER_ADDRESS:
    raise ImproperlyConfigured(
        "LOGIN_FAILURES_PER_ADDRESS must be at least LOGIN_FAILURES_PER_USER_AND_ADDRESS, "
        "and both above 0."
    )
if not 0 < LOGIN_WAIT_SECONDS <= LOGIN_MAX_WAIT_SECONDS < LOGIN_FAILURE_WINDOW_SECONDS:
    raise ImproperlyConfigured(
        "The login waits need 0 < LOGIN_WAIT_SECONDS <= LOGIN_MAX_WAIT_SECONDS < "
        "LOGIN_FAILURE_WINDOW_SECONDS: failures forgotten before a wait ends would end it."
    )
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Counted per username at an address; the address's own limit is applied by failure_limit.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = "coe_portal.login_throttle.failure_limit"
# How long failures are remembered. A fixed window, not a callable: axes 8.3 deletes every
# attempt older than the cool-off of whichever request it serves and counts within the same
# window, so one that varied per person would erase others' longer waits. The growing wait
# is failure_limit's.
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW_SECONDS)
# An attempt made while waiting is refused without its password being checked, and is not
# recorded: axes would append each one's form data to the row, so hammering would grow it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # the username's failures at that address, not the address's
AXES_WHITELIST_CALLABLE = "coe_portal.login_throttle.is_not_a_password_attempt"
AXES_LOCKOUT_CALLABLE = "coe_portal.login_throttle.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure, for the admins (axes keeps 1000 a name)
# The throttle's logs of logins and failures are kept this long (the hourly
# forget_expired_sign_ins task deletes older ones).
SIGN_IN_LOG_DAYS = env_int("SIGN_IN_LOG_DAYS", 90)

# The client's address, for the login throttle and the API's (coe_portal/throttling.py):
# REMOTE_ADDR, unless TRUSTED_PROXY_COUNT reverse proxies stand in front of gunicorn. Then it
# is the address the outermost of them saw, counted from the right of X-Forwarded-For (each
# proxy appends the address it was reached from; anything a client sent stays to its left).
# Set it only when every request comes through those proxies, or a client can name any
# address; one without the header then has no address (all such are counted together).
# ipware counts the proxies listed after the client: the nearest one is REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"TRUSTED_PROXY_COUNT={TRUSTED_PROXY_COUNT} must be 0 or more.")
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1 if TRUSTED_PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR",) if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)
)
IPWARE_STRICT = False  # count from the right even when a client put addresses in front

# Single sign-on with OpenID Connect (mozilla-django-oidc; the rules are in coe_portal/sso.py).
# Off by default. Only the issuer and the client's id and secret are needed: the endpoints
# come from the issuer's discovery document unless set here. The OIDC_RP_*/OIDC_OP_* names
# are the library's; the environment variables are shorter.
OIDC_ENABLED = env_bool("OIDC_ENABLED", False)
LOCAL_LOGIN_ENABLED = env_bool("LOCAL_LOGIN_ENABLED", True)
OIDC_ISSUER = env_str("OIDC_ISSUER")  # exactly as the provider writes it in its tokens
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_USERINFO_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_JWKS_ENDPOINT")
OIDC_USE_PKCE = env_bool("OIDC_USE_PKCE", True)
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USERS", True)
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10)
OIDC_DEPARTMENT_CLAIM = env_str("OIDC_DEPARTMENT_CLAIM", "department")
OIDC_CREATE_DEPARTMENTS = env_bool("OIDC_CREATE_DEPARTMENTS", False)
OIDC_JOB_TITLE_CLAIM = env_str("OIDC_JOB_TITLE_CLAIM", "job_title")
OIDC_ROLES_CLAIM = env_str("OIDC_ROLES_CLAIM", "groups")
OIDC_ROLE_MAP = parse_role_map(env_str("OIDC_ROLE_MAP"))
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL_FAILURE = "login"
check_oidc_settings(
    enabled=OIDC_ENABLED,
    local_login_enabled=LOCAL_LOGIN_ENABLED,
    issuer=OIDC_ISSUER,
    client_id=OIDC_RP_CLIENT_ID,
    client_secret=OIDC_RP_CLIENT_SECRET,
    sign_algo=OIDC_RP_SIGN_ALGO,
)
# Without the model backend no password works anywhere, the admin's login included.
AUTHENTICATION_BACKENDS = [
    # First: refuses an attempt the login throttle holds back before any password is checked.
    # Axes' standalone backend: AxesBackend would add a second ModelBackend's permissions.
    "axes.backends.AxesStandaloneBackend",
    *(["coe_portal.sso.PortalOIDCBackend"] if OIDC_ENABLED else []),
    *(["coe_portal.backends.PortalModelBackend"] if LOCAL_LOGIN_ENABLED else []),
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Proposal attachments: served only through a permission-checked view, never from MEDIA_URL.
USECASE_ATTACHMENT_MAX_BYTES = env_int("USECASE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Production serves hashed, compressed files with far-future cache headers (whitenoise);
# that needs `collectstatic`, so development and tests use the plain storage.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Redis: when REDIS_URL is set it is Celery's broker and the cache. Without it the portal
# still runs: the cache is in-process and Celery tasks run inline (the zero-setup demo).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "coe_portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "coe",
            # Fail fast when Redis is down: a page waits at most this long for the cache.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL) or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A task is acknowledged only when it finishes, so a worker killed mid-task leaves it to be
# run again by the next worker (tasks are written to be safe to run twice).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 60 * 60),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A report "generating" for longer than this died with its worker (the hard time limit
# would have stopped a live one): its redelivered task, or asking again, takes it over.
REPORT_STALE_AFTER_SECONDS = env_int("REPORT_STALE_AFTER_SECONDS", CELERY_TASK_TIME_LIMIT + 60)

# Email: the console in development; SMTP settings from the environment in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (one file per batch).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or None
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "CoE Portal <coe-portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Emails carry absolute links; the portal's public address.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# Security. Production (DEBUG off) gets secure cookies, HSTS and HTTPS redirects;
# `manage.py check --deploy` is clean with production values.
# Sessions live in the database alone: one primary-key read a request. Read through the
# cache, a logout made while Redis was down came undone when Redis returned with its dump
# (tests/coe_portal/test_logout_is_final.py).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
# The header a TLS-terminating proxy sets to say the client came over HTTPS, trusted only
# when named here (e.g. PROXY_SSL_HEADER=X-Forwarded-Proto): with gunicorn facing clients
# directly, anyone could send it and pass a plain-HTTP request off as HTTPS.
PROXY_SSL_HEADER = env_str("PROXY_SSL_HEADER", "").strip()
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + PROXY_SSL_HEADER.upper().replace("-", "_"), "https") if PROXY_SSL_HEADER else None
)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No inline scripts or styles anywhere: every script and stylesheet is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated API call then gets 401 with WWW-Authenticate.
        "coe_portal.tokens.ApiTokenAuthentication",  # knox's, refusing malformed keys
        "rest_framework.authentication.SessionAuthentication",
    ],
    # DRF's, keyed by the client's address as the login throttle reads it (TRUSTED_PROXY_COUNT).
    "DEFAULT_THROTTLE_CLASSES": [
        "coe_portal.throttling.UserRateThrottle",
        "coe_portal.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_RATE_USER", "1200/minute"),
        "anon": env_str("API_RATE_ANON", "30/minute"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's parsers, refusing NUL characters with a 400 (coe_portal.request_guard).
    "DEFAULT_PARSER_CLASSES": [
        "coe_portal.request_guard.JSONParser",
        "coe_portal.request_guard.FormParser",
        "coe_portal.request_guard.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "coe_portal.paging.CappedPageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
# API tokens (django-rest-knox; made and revoked in coe_portal/tokens.py). Only a digest of
# each key is stored. Every token has an expiry its owner chose (TOKEN_TTL is the default
# offered); expired ones are refused, and deleted when met and by the hourly sweep. Clients
# keep sending "Authorization: Token <key>"; new keys start "coe_" so leaked ones are easy
# to recognise (scanners, logs).
KNOX_TOKEN_MODEL = "coe_portal.ApiToken"  # noqa: S105 (a model name)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=DEFAULT_TOKEN_LIFETIME),
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "coe_",
}
API_TOKENS_PER_PERSON = env_int("API_TOKENS_PER_PERSON", 10)  # live tokens one person may hold
# knox's own migrations create its default token table even when the model is swapped out,
# and nothing would use or empty it (flushing the tables between transactional tests fails on
# its foreign key): without migrations, nothing creates it.
MIGRATION_MODULES = {"knox": None}

SPECTACULAR_SETTINGS = {
    "TITLE": "CoE Portal API",
    "DESCRIPTION": "The Generative-AI Center of Excellence portal: proposals, reviews, "
    "skilling and metrics. Same permissions as the pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI from the pinned sidecar package as static files, and its start-up script
    # from the docs view's own URL (the split view): nothing from outside, no inline script.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # One name per choice set that several serializers share.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "coe_portal.openapi.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "UseCaseStatusEnum": "usecases.choices.Status",
        "DataSensitivityEnum": "coe_portal.models.DataSensitivity",
        "RiskTierEnum": "governance.choices.RiskTier",
    },
}

# Logs go to stdout; LOG_FORMAT=json (the default outside DEBUG) writes one JSON object per
# line with the request id, for log collectors.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use 'json' or 'text'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "coe_portal.request_log.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "coe_portal.request_log.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The login throttle's failures and lockouts; not its several lines for every login.
    "loggers": {"axes": {"level": "WARNING"}},
}
