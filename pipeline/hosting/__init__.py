"""Publishing public/ to where listeners are: an S3 bucket (any S3-compatible provider) or a
web server's document root, synced in an order that never leaves a broken feed online."""
from pipeline.hosting.sync import PublishReport, publish, publish_configured

__all__ = ["PublishReport", "publish", "publish_configured"]
