# Copy to instance/config.py. Environment variables (DATABASE_URL, SECRET_KEY,
# SOCKETIO_MESSAGE_QUEUE, PUBLIC_BASE_URL ...) override what is set here.

# The address phones use to reach the server (printed in QR codes), e.g. the laptop's
# address on the venue Wi-Fi:
# PUBLIC_BASE_URL = "http://192.168.1.20:5000"

# PostgreSQL instead of the SQLite file in instance/:
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://user:password@localhost/facilitation"

# Several workers: every worker points at the same Redis.
# SOCKETIO_MESSAGE_QUEUE = "redis://127.0.0.1:6379/0"
