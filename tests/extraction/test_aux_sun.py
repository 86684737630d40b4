"""Sun position and sub-solar point (VirES's SunPosition and SubSolarPoint, reference section
5.4) against eoxmagmod's own reference values and published almanac figures."""

from __future__ import annotations

import numpy as np
import pytest

from vires_repo.extraction.auxiliaries.sun import sun_position
from vires_repo.timescales import datetime64_to_mjd2000

# Rows of eoxmagmod's SunPositionTestData.tsv (ESA-VirES/MagneticModel, eoxmagmod/tests/data;
# the output of the ``sunpos`` VirES calls): MJD2000, latitude, longitude (deg), radius (km),
# declination, right ascension, hour angle, azimuth, zenith (deg).
EOXMAGMOD_ROWS = np.array(
    [
        [
            8.16734888965268e03,
            -90.0,
            -180.0,
            5.22890986428717e03,
            1.81641120987400e01,
            4.91829769122005e01,
            1.26507315419712e02,
            -1.26507315419712e02,
            1.08166014966231e02,
        ],
        [
            -1.54847878677666e03,
            -90.0,
            -160.0,
            9.74231406534231e02,
            -4.66425349663313e00,
            1.90847549215983e02,
            -1.49494617708690e02,
            1.49494617708690e02,
            8.53361183969729e01,
        ],
        [
            6.22734750337297e03,
            -85.0,
            -170.0,
            1.14395918824464e04,
            -2.04717825253664e01,
            3.00540515460937e02,
            1.32495649200023e02,
            -1.33736302705819e02,
            7.29511490378278e01,
        ],
        [
            3.73262159700730e03,
            -85.0,
            -40.0,
            1.18813255806303e04,
            3.51859424471435e-01,
            8.11623046092228e-01,
            1.98377470475503e00,
            -1.99027718873280e00,
            8.53593976698747e01,
        ],
        [
            1.07128311904253e04,
            -80.0,
            -120.0,
            1.78913337384371e03,
            1.50472257554424e01,
            3.83283466120811e01,
            -5.38562636803260e-02,
            5.22121003046089e-02,
            9.50479125952130e01,
        ],
        [
            6.80881890782965e03,
            10.0,
            180.0,
            4.29044846704390e03,
            1.15898515368545e01,
            1.51762520487198e02,
            -6.58969049905624e01,
            8.18296666515902e01,
            6.46061083929946e01,
        ],
        [
            -3.62983633800288e03,
            15.0,
            -180.0,
            1.08575548691452e04,
            -1.95183827232619e01,
            3.05166185925176e02,
            5.59838379676266e01,
            -1.20445770572110e02,
            6.49898459701169e01,
        ],
        [
            5.04698323402235e03,
            15.0,
            -160.0,
            2.18430588709377e03,
            -1.24132552750288e01,
            2.10515463602787e02,
            1.79652873806576e01,
            -1.46088355505066e02,
            3.26788130271811e01,
        ],
        [
            -8.68659519499552e02,
            20.0,
            -120.0,
            7.01783438904747e02,
            1.39996265213044e01,
            1.44891459660667e02,
            -1.78542865290007e02,
            2.52698049960157e00,
            1.45970325287450e02,
        ],
        [
            1.64179582061259e03,
            20.0,
            -110.0,
            2.50208362709681e02,
            2.31775441649235e01,
            9.90872563548235e01,
            -4.39538886481339e00,
            5.13440057458269e01,
            5.17623605339664e00,
        ],
        [
            7.28938565467417e03,
            25.0,
            -130.0,
            3.59418696293471e02,
            -2.33045616736116e01,
            2.63573413725372e02,
            -1.70010451172361e02,
            8.15378904272457e01,
            1.70731037731516e02,
        ],
        [
            2.19423522146873e03,
            85.0,
            100.0,
            7.64013344980383e03,
            -2.28346885293453e01,
            2.83798865459934e02,
            3.58969531661162e00,
            -1.76524580040255e02,
            1.07846959688910e02,
        ],
        [
            -6.35032217378473e03,
            85.0,
            110.0,
            1.28932694455930e03,
            1.49354365727932e01,
            1.42033177058350e02,
            1.72769546729627e02,
            -7.09268940612331e00,
            8.00260949684713e01,
        ],
        [
            3.00118496020040e03,
            90.0,
            10.0,
            7.24666338544786e03,
            -2.29179797057689e-02,
            3.59947142080211e02,
            -1.05281558980349e02,
            7.47184410196506e01,
            9.00256934416261e01,
        ],
        [
            7.64577190168942e03,
            90.0,
            170.0,
            1.00574740724816e04,
            -2.26042094758813e01,
            2.53827293584448e02,
            -8.99443449624196e01,
            9.00556550375804e01,
            1.12607765571747e02,
        ],
        [
            1.03028455820694e04,
            90.0,
            -80.0,
            1.27290063747423e04,
            -1.28557901366482e00,
            3.57032636231162e02,
            4.23209744250852e01,
            -1.37679025574915e02,
            9.12904529785117e01,
        ],
    ]
)
OUTPUTS = (
    "SunDeclination",
    "SunRightAscension",
    "SunHourAngle",
    "SunAzimuthAngle",
    "SunZenithAngle",
)


def test_equals_eoxmagmod_reference_values() -> None:
    mjd2000, lat, lon, radius = EOXMAGMOD_ROWS[:, :4].T

    result = sun_position(mjd2000, lat, lon, radius)

    for column, name in enumerate(OUTPUTS, start=4):
        np.testing.assert_allclose(
            result[name], EOXMAGMOD_ROWS[:, column], rtol=0, atol=1e-7, err_msg=name
        )


def at(*times: str) -> np.ndarray:
    return datetime64_to_mjd2000(np.array(times, "datetime64[ns]"))


def test_declination_at_the_2016_equinoxes_and_solstices() -> None:
    # US Naval Observatory / Astronomical Almanac 2016: March equinox 2016-03-20 04:30 UTC,
    # June solstice 06-20 22:34, September equinox 09-22 14:21, December solstice 12-21 10:44;
    # obliquity of the ecliptic 23.4372 deg in 2016.
    times = at("2016-03-20T04:30", "2016-06-20T22:34", "2016-09-22T14:21", "2016-12-21T10:44")
    zeros = np.zeros(4)

    declination = sun_position(times, zeros, zeros, zeros)["SunDeclination"]

    np.testing.assert_allclose(declination, [0.0, 23.4372, 0.0, -23.4372], atol=0.01)


def test_the_sun_culminates_near_noon_at_greenwich() -> None:
    # equation of time on 2016-11-03: +16 min 26 s (the Sun transits Greenwich at 11:43:34 UTC)
    times = at("2016-11-03T11:43:34")
    result = sun_position(times, np.zeros(1), np.zeros(1), np.zeros(1))

    assert abs(result["SunHourAngle"][0]) < 0.02  # deg, about 5 s of time


def test_sub_solar_point_and_sun_vector() -> None:
    mjd2000 = np.full(3, 5844.25)  # 2016-01-01T06:00
    lat = np.array([10.0, -45.0, 80.0])
    lon = np.array([-170.0, 0.0, 120.0])

    result = sun_position(mjd2000, lat, lon, np.full(3, 6800.0))

    # the sub-solar longitude does not depend on the sample's position (up to 360 deg)
    wrapped = (result["SunLongitude"] - result["SunLongitude"][0] + 180.0) % 360.0 - 180.0
    np.testing.assert_allclose(wrapped, 0.0, atol=1e-9)
    np.testing.assert_allclose(result["SunLongitude"], lon - result["SunHourAngle"])
    # at 06:00 UTC it is mean noon at 90 deg E; the equation of time of 2016-01-01, -3 min 18 s
    # (apparent noon at Greenwich 12:03:18 UTC), puts the Sun 0.83 deg further east
    sub_solar = (result["SunLongitude"][0] + 180.0) % 360.0 - 180.0
    assert sub_solar == pytest.approx(90.0 + 0.83, abs=0.05)
    vector = result["SunVector"]
    assert vector.shape == (3, 3)
    np.testing.assert_allclose(np.linalg.norm(vector, axis=1), 1.0)
    decl = np.radians(result["SunDeclination"])
    np.testing.assert_allclose(vector[:, 2], np.sin(decl))
    # the zenith angle of the sub-solar point itself is about zero
    at_sub_solar = sun_position(
        mjd2000[:1], result["SunDeclination"][:1], result["SunLongitude"][:1], np.zeros(1)
    )
    assert at_sub_solar["SunZenithAngle"][0] == pytest.approx(0.0, abs=1e-6)


def test_nan_positions_give_nan() -> None:
    result = sun_position(np.array([5844.0]), np.array([np.nan]), np.array([0.0]), np.zeros(1))

    assert np.isnan(result["SunZenithAngle"][0])
    assert not np.isnan(result["SunDeclination"][0])
