"""Regie settings: one module, driven by the environment.

Embedded default (no variables set): SQLite and Celery's on-disk broker under ./data.
With DATABASE_URL and REDIS_URL the real services are used. Tests override a few values in
governance/test_settings.py and nowhere else.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from governance.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("REGIE_DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("REGIE_DEBUG", False)

# Django's own deploy check asks for at least 50 characters; a shorter key is refused at start-up.
MIN_SECRET_KEY_LENGTH = 50
SECRET_KEY = env_str("REGIE_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("REGIE_SECRET_KEY is required unless REGIE_DEBUG=true.")
    SECRET_KEY = "regie-insecure-development-key-never-use-in-production"  # noqa: S105
elif not DEBUG and len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH:
    raise ImproperlyConfigured(
        f"REGIE_SECRET_KEY has {len(SECRET_KEY)} characters; use at least "
        f"{MIN_SECRET_KEY_LENGTH} (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

ALLOWED_HOSTS = env_list("REGIE_ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("REGIE_CSRF_TRUSTED_ORIGINS")
# Where links in e-mails point (survey invitations, complaint tracking). `make run` sets it to the
# address it serves; without it, the first trusted origin or allowed host is used.
REGIE_PUBLIC_URL = (env_str("REGIE_PUBLIC_URL") or "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "governance.platform",
    "governance.roof",
    "governance.accounts",
    "rest_framework",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "contracts",
    "kto",
    "complaints",
    "audits",
    "simulations",
    "meetings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "governance.accounts.sessions.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "governance.platform.middleware.TenantMiddleware",
    # Last: turns a lockout that django-axes flagged during the request into its answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "governance.urls"
WSGI_APPLICATION = "governance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "governance.platform.context_processors.tenant",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{DATA_DIR / 'regie.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has the web server and a worker writing to one file. WAL lets readers
    # go on during a write; IMMEDIATE takes the write lock when a transaction starts, so a
    # writer waits up to `timeout` seconds for another instead of failing on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_TIMEOUT", 20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache that is down must cost a request a second, not the operating system's
            # TCP timeout: callers fall back (rate limits count in process memory).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Login failures count in the default cache, and in process memory while it is down.
CACHES["login"] = {"BACKEND": "governance.accounts.lockout.FallbackCache", "LOCATION": "default"}

# Time limits: the default for every task, and the longest any task may ask for. The Redis
# visibility timeout must exceed the longest limit twice over, or a slow task is redelivered
# to a second worker while the first still runs it.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
REGIE_LONGEST_TASK_TIME_LIMIT = 1800

# Worker loss: a running job renews its TaskRun heartbeat; the reaper (beat, every
# REGIE_TASK_REAPER_SECONDS) re-sends a job whose heartbeat is older than the lease, and the
# next delivery claims the row. A job that lost its worker this many times is marked failed.
REGIE_TASK_HEARTBEAT_SECONDS = env_int("REGIE_TASK_HEARTBEAT_SECONDS", 20)
REGIE_TASK_LEASE_SECONDS = env_int("REGIE_TASK_LEASE_SECONDS", 120)
REGIE_TASK_REAPER_SECONDS = env_int("REGIE_TASK_REAPER_SECONDS", 60)
REGIE_TASK_MAX_ATTEMPTS = 3
if REGIE_TASK_LEASE_SECONDS < 3 * REGIE_TASK_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "REGIE_TASK_LEASE_SECONDS must be at least three heartbeats (REGIE_TASK_HEARTBEAT_SECONDS)."
    )

if REDIS_URL:
    # The visibility timeout is only the broker's fallback for a lost worker (the reaper above
    # recovers within minutes); it stays above the longest task limit so that a healthy slow
    # task is not handed to a second worker.
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 2 * REGIE_LONGEST_TASK_TIME_LIMIT,
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }
else:
    BROKER_DIR = DATA_DIR / "broker"
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "data_folder_processed": str(BROKER_DIR / "processed"),
        # Broadcasts (the worker's remote control); by default a folder in the working directory.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }

# Deployments (or test runs) sharing one Redis keep apart by naming their own queue.
CELERY_TASK_DEFAULT_QUEUE = env_str("REGIE_CELERY_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# --- Mail -----------------------------------------------------------------------------------
# Messages are written to the outbox table and sent by the relay task. Without SMTP_HOST they
# land as files under data/mail, so a developer can read every message the portal sends.
SMTP_HOST = env_str("SMTP_HOST")
if SMTP_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": SMTP_HOST,
                "port": env_int("SMTP_PORT", 587),
                "username": env_str("SMTP_USER", ""),
                "password": env_str("SMTP_PASSWORD", ""),
                "use_tls": env_bool("SMTP_TLS", False),
                "timeout": env_int("SMTP_TIMEOUT", 20),
            },
        }
    }
else:
    (DATA_DIR / "mail").mkdir(parents=True, exist_ok=True)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(DATA_DIR / "mail")},
        }
    }
DEFAULT_FROM_EMAIL = env_str("REGIE_FROM_EMAIL", "Regie <regie@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
# Webhooks: attempts per delivery (2, 4, 8 … minutes apart), and failed posts in a row after
# which an endpoint is switched off and its owner told.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 10)
# Deliveries to private, loopback and link-local addresses are refused outside development.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", DEBUG)

# --- Auth -----------------------------------------------------------------------------------
# OWASP ASVS 5.0 §6.2: at least 12 characters, no list of common passwords, no composition rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
# How long an invitation link to become a member stays valid.
REGIE_INVITATION_DAYS = env_int("REGIE_INVITATION_DAYS", 7)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login protection (governance/accounts/lockout.py). Failures count per account and per address
# in the shared cache; REGIE_LOGIN_FAILURES failures within REGIE_LOGIN_WINDOW_MINUTES lock
# that account or address until the window has passed without a new failure.
REGIE_LOGIN_FAILURES = env_int("REGIE_LOGIN_FAILURES", 10)
REGIE_LOGIN_WINDOW_MINUTES = env_int("REGIE_LOGIN_WINDOW_MINUTES", 15)
# Password reset: requests per address and per account within the same window.
REGIE_RESET_REQUESTS = env_int("REGIE_RESET_REQUESTS", 5)
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "login"
AXES_FAILURE_LIMIT = REGIE_LOGIN_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=REGIE_LOGIN_WINDOW_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "governance.accounts.lockout.username_of"
AXES_LOCKOUT_CALLABLE = "governance.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "governance.accounts.lockout.client_address"
# The counters are in the cache: axes' database tables stay empty, so their admin pages go.
AXES_ENABLE_ADMIN = False
# Attempts during a lockout do not extend it: the lock ends a window after the last failure
# that counted, so nobody can keep another's account locked for longer than that by retrying.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False

# Sessions: an idle session ends after REGIE_SESSION_IDLE_MINUTES, any session after
# REGIE_SESSION_MAX_HOURS (governance/accounts/sessions.py); the cookie goes with it.
REGIE_SESSION_IDLE_MINUTES = env_int("REGIE_SESSION_IDLE_MINUTES", 30)
REGIE_SESSION_MAX_HOURS = env_int("REGIE_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = REGIE_SESSION_MAX_HOURS * 3600
# API tokens (governance/accounts/models.py): the default lifetime of a new token.
REGIE_API_TOKEN_DAYS = env_int("REGIE_API_TOKEN_DAYS", 90)
OTP_TOTP_ISSUER = "Regie"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates in one day-first style ("16 Sep 2026"); see governance/platform/formatting.py.
FORMAT_MODULE_PATH = ["governance.platform.formats"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = DATA_DIR / "media"

# --- Security -------------------------------------------------------------------------------
# REGIE_HTTPS says the portal is reached over HTTPS (directly or behind a TLS proxy).
HTTPS = env_bool("REGIE_HTTPS", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("REGIE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("REGIE_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
REGIE_BEHIND_PROXY = env_bool("REGIE_BEHIND_PROXY", False)
# The client's address for login lockouts (governance/accounts/lockout.py): behind
# REGIE_PROXY_COUNT proxies of ours, the X-Forwarded-For entry the outermost one added.
REGIE_PROXY_COUNT = env_int("REGIE_PROXY_COUNT", 1)
if REGIE_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks of the container platform call plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    # Swagger UI and server-rendered SVG charts set inline style attributes.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first, so an unauthenticated API call answers 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "governance.accounts.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Regie API",
    "DESCRIPTION": "Outsourcing governance: contracts, SLA reports, surveys and more.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "DEFAULT_GENERATOR_CLASS": "governance.platform.api.SchemaGenerator",
    # Every error status an operation can answer is declared with its body.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "governance.platform.api_schema.declare_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ContractStatusEnum": "contracts.models.Contract.Status",
        "SLAReportStatusEnum": "contracts.models.SLAReport.Status",
        "InformationFrequencyEnum": "contracts.models.Frequency",
        "SimulationRunStatusEnum": "simulations.models.SimulationRun.Status",
        "ExerciseStatusEnum": "simulations.models.Exercise.Status",
        "AuditStatusEnum": "audits.models.Audit.Status",
        "AuditFindingStatusEnum": "audits.models.Finding.Status",
        "CorrectiveActionStatusEnum": "audits.models.CorrectiveAction.Status",
        "AuditResultEnum": "audits.models.Result",
        "ISO9001ClauseEnum": "audits.clauses.CLAUSE_CODES",
        "ComplaintStatusEnum": "complaints.models.Status",
        "ImprovementProposalStatusEnum": "complaints.models.ProposalStatus",
        "MeetingSideEnum": "meetings.models.Side",
        "SIPStatusEnum": "meetings.models.SIP.Status",
        # Audits' and simulations' owner sides share one choice set (supplier, client, joint).
        "JointOwnerSideEnum": "simulations.models.OwnerSide",
    },
}

# --- Audit trail (django-simple-history; governance/platform/history.py) ----------------------
# History is append-only: the admin shows it but cannot revert a record to an older version.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("REGIE_LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
