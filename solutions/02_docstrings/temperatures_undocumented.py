import math

LOWEST = -90.0
HIGHEST = 60.0


def to_fahrenheit(celsius):
    return round(celsius * 9 / 5 + 32, 1)


class TemperatureSeries:

    def __init__(self, station, readings=()):
        if not station.strip():
            raise ValueError("station name must not be blank")
        self.station = station
        self._readings = []
        for celsius in readings:
            self.add(celsius)

    def __len__(self):
        return len(self._readings)

    def add(self, celsius):
        if math.isnan(celsius) or not LOWEST <= celsius <= HIGHEST:
            raise ValueError(f"implausible reading: {celsius} °C")
        self._readings.append(float(celsius))

    def mean(self):
        if not self._readings:
            raise ValueError("no readings yet")
        return round(sum(self._readings) / len(self._readings), 1)

    def rolling_mean(self, window):
        if window < 1:
            raise ValueError("window must be at least 1")
        means = []
        for end in range(window, len(self._readings) + 1):
            chunk = self._readings[end - window:end]
            means.append(round(sum(chunk) / window, 1))
        return means
