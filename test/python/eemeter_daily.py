"""
Fits OpenEEmeter's CalTRACK daily model to a CSV of days and prints the result as JSON
(used by services/indicators/effect/eemeter.test.ts).

Input CSV: day (YYYY-MM-DD), period (baseline|reporting), temperature_c, kwh.
eemeter works in °F: temperatures are converted, and the balance point and slope
converted back to °C (b_C = (b_F − 32) / 1.8, slope per °C·d = slope per °F·d × 1.8).

Model: DailyModel(model="legacy"), eemeter 4's CalTRACK 2.0 daily model (one
model for the whole year, no seasonal or weekday splits, no smoothing, squared
loss), limited to one side (full_model c_hdd_tidd: no model with both an HDD
and a CDD term, which ours does not have) and with its small L1 penalty turned off (regularization_alpha 0) so that it
minimises the same sum of squares as an ordinary least-squares fit.
Argument "--default" keeps eemeter's default settings (penalty on).
"""
import json
import sys
import warnings

warnings.filterwarnings("ignore")
import logging

logging.disable(logging.WARNING)
import pandas as pd
from eemeter.eemeter import DailyBaselineData, DailyModel, DailyReportingData

path = sys.argv[1]
default = "--default" in sys.argv[2:]
df = pd.read_csv(path)
df.index = pd.DatetimeIndex(pd.to_datetime(df["day"])).tz_localize("Europe/Stockholm")
df.index.freq = None
frame = pd.DataFrame({"observed": df["kwh"].astype(float), "temperature": df["temperature_c"].astype(float) * 1.8 + 32}, index=df.index)
base = frame[df["period"].values == "baseline"]
rep = frame[df["period"].values == "reporting"]
# Heating or cooling on one side only (full_model c_hdd_tidd): our model has no CDD term.
settings = None if default else {"developer_mode": True, "silent_developer_mode": True, "regularization_alpha": 0.0, "full_model": "c_hdd_tidd"}
model = DailyModel(model="legacy", settings=settings).fit(DailyBaselineData(base, is_electricity_data=False), ignore_disqualification=True)
sub = list(model.to_dict()["submodels"].values())
c = sub[0]["coefficients"]
kind = str(getattr(c["model_type"], "value", c["model_type"]))
out = {"submodels": len(sub), "model_type": kind, "intercept": c["intercept"]}
if c.get("hdd_bp") is not None:
    out["balance_point_c"] = (c["hdd_bp"] - 32) / 1.8
    # eemeter's hdd_beta is the slope against temperature (negative for heating): per °F of temperature below the balance point
    out["hdd_slope_per_c"] = -c["hdd_beta"] * 1.8
if c.get("cdd_bp") is not None:
    out["cdd_bp_f"] = c["cdd_bp"]
pb = model.predict(DailyBaselineData(base, is_electricity_data=False))
pr = model.predict(DailyReportingData(rep, is_electricity_data=False))
out["baseline_predicted_kwh"] = float(pb["predicted"].sum())
out["reporting_predicted_kwh"] = float(pr["predicted"].sum())
out["reporting_observed_kwh"] = float(pr["observed"].sum())
out["reporting_days"] = int(pr["predicted"].notna().sum())
print(json.dumps(out))
