"""Traceability records: producers and their holdings, products, batches and their journey."""

from tracing.models.batches import Batch, BatchEvent, BatchEventPhoto
from tracing.models.holdings import AreaCapacity, Certificate, ProductionArea, ProductionAreaRegion
from tracing.models.producers import (
    FieldSurvey,
    FieldSurveyPhoto,
    Producer,
    ProducerMembership,
    ProducerStatusChange,
)
from tracing.models.products import Product, ProductPhoto, Unit

__all__ = [
    "AreaCapacity",
    "Batch",
    "BatchEvent",
    "BatchEventPhoto",
    "Certificate",
    "FieldSurvey",
    "FieldSurveyPhoto",
    "Producer",
    "ProducerMembership",
    "ProducerStatusChange",
    "Product",
    "ProductPhoto",
    "ProductionArea",
    "ProductionAreaRegion",
    "Unit",
]
