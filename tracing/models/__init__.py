"""Traceability records: producers and their holdings, products, batches and their journey."""

from tracing.models.batches import Batch, BatchEvent, BatchEventPhoto, BatchEventRevision
from tracing.models.holdings import AreaCapacity, Certificate, ProductionArea, ProductionAreaRegion
from tracing.models.producers import (
    FieldSurvey,
    FieldSurveyPhoto,
    Producer,
    ProducerChange,
    ProducerMembership,
    ProducerStatusChange,
)
from tracing.models.products import Product, ProductPhoto, Unit
from tracing.models.stamps import CounterfeitReport, Scan, Stamp, StampEvent, StampRun, SuspicionFlag

__all__ = [
    "AreaCapacity",
    "Batch",
    "BatchEvent",
    "BatchEventPhoto",
    "BatchEventRevision",
    "Certificate",
    "CounterfeitReport",
    "FieldSurvey",
    "FieldSurveyPhoto",
    "Producer",
    "ProducerChange",
    "ProducerMembership",
    "ProducerStatusChange",
    "Product",
    "ProductPhoto",
    "ProductionArea",
    "ProductionAreaRegion",
    "Scan",
    "Stamp",
    "StampEvent",
    "StampRun",
    "SuspicionFlag",
    "Unit",
]
