"""Cityscapes label ids drawn by the street scene."""
from ..cityscapes_labels import (CITYSCAPES_NAME_TO_LABEL,
                                 LICENSE_PLATE_STORED_ID)


def _cityscapes_id(name):
    return CITYSCAPES_NAME_TO_LABEL[name].id


# Cityscapes label ids used by the street scene.
EGO_VEHICLE = _cityscapes_id('ego vehicle')
RECTIFICATION_BORDER = _cityscapes_id('rectification border')
OUT_OF_ROI = _cityscapes_id('out of roi')
STATIC = _cityscapes_id('static')
DYNAMIC = _cityscapes_id('dynamic')
GROUND = _cityscapes_id('ground')
ROAD = _cityscapes_id('road')
SIDEWALK = _cityscapes_id('sidewalk')
PARKING = _cityscapes_id('parking')
BUILDING = _cityscapes_id('building')
WALL = _cityscapes_id('wall')
FENCE = _cityscapes_id('fence')
POLE = _cityscapes_id('pole')
TRAFFIC_LIGHT = _cityscapes_id('traffic light')
TRAFFIC_SIGN = _cityscapes_id('traffic sign')
VEGETATION = _cityscapes_id('vegetation')
TERRAIN = _cityscapes_id('terrain')
SKY = _cityscapes_id('sky')
PERSON = _cityscapes_id('person')
RIDER = _cityscapes_id('rider')
CAR = _cityscapes_id('car')
TRUCK = _cityscapes_id('truck')
BUS = _cityscapes_id('bus')
MOTORCYCLE = _cityscapes_id('motorcycle')
BICYCLE = _cityscapes_id('bicycle')
LICENSE_PLATE = LICENSE_PLATE_STORED_ID
