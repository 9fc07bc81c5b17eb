"""Base classes of every plugin kind, and the values passed between them."""

from ._auxiliary import AuxiliaryLoss, AuxiliaryModule, TrainingBatch
from ._component import Component
from ._encoder import Encoder
from ._epoch import EpochResampled
from ._extractor import ExtractedFeatures, Extractor
from ._fusion import Fusion, WeightedFusionModule
from ._loss import Loss, RepresentationLoss
from ._timing import FusionTiming, TimingModule, TimingOutput
from ._transform import Transform
from .context import BuildContext
from .representations import Representations

__all__ = [
    "AuxiliaryLoss",
    "AuxiliaryModule",
    "BuildContext",
    "Component",
    "Encoder",
    "EpochResampled",
    "ExtractedFeatures",
    "Extractor",
    "Fusion",
    "FusionTiming",
    "Loss",
    "RepresentationLoss",
    "Representations",
    "TimingModule",
    "TimingOutput",
    "TrainingBatch",
    "Transform",
    "WeightedFusionModule",
]
