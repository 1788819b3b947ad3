"""Score the telco churn data on Spark and write what release-gate gates.

Spark in local mode (no cluster, nothing leaves 127.0.0.1): trains two Spark
MLlib pipelines on 80% of examples/churn/telco_churn.csv and scores the other
20% with both:

* the candidate: StringIndexer + OneHotEncoder on the text columns, Imputer
  on the numbers, VectorAssembler, LogisticRegression;
* the "champion" (what production runs today): a depth-2 DecisionTree on
  tenure and contract only, a deliberately weaker model.

Writes, under --out:

* scores/     the scored held-out rows as Spark writes them: partitioned by
              `contract` (`contract=One year/part-*.snappy.parquet`), with
              `_SUCCESS` and `.crc` files. Columns: rownames, churn (the
              label, "Yes"/"No"), female, senior_citizen (protected), a few
              raw features for drift, score (candidate P(churn = "Yes")),
              champion_score (the champion's), and contract from the folders.
* reference.parquet  the training rows' raw features (and contract) with
              the candidate's score on them, one file, for the drift gate's
              `reference` (feature drift and prediction drift).

Usage: python spark_job.py --data examples/churn/telco_churn.csv --out examples/spark
"""

import argparse
import glob
import os
import shutil
import sys
import tempfile
import time

# Bind everything to loopback before the JVM starts.
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)

from pyspark.ml import Pipeline  # noqa: E402
from pyspark.ml.classification import (  # noqa: E402
    DecisionTreeClassifier,
    LogisticRegression,
)
from pyspark.ml.feature import (  # noqa: E402
    Imputer,
    OneHotEncoder,
    StringIndexer,
    VectorAssembler,
)
from pyspark.ml.functions import vector_to_array  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

TARGET = "churn"
POSITIVE = "Yes"
ID = "rownames"
PROTECTED = ["female", "senior_citizen"]
PARTITION = "contract"
TEXT = [
    "multiple_lines",
    "internet_service",
    "online_security",
    "online_backup",
    "device_protection",
    "tech_support",
    "streaming_tv",
    "streaming_movies",
    "contract",
    "payment_method",
]
NUMERIC = [
    "partner",
    "dependents",
    "tenure",
    "phone_service",
    "paperless_billing",
    "monthly_charges",
    "total_charges",
]
# Raw features kept next to the scores, for the drift gate.
DRIFT = ["tenure", "monthly_charges", "total_charges", "internet_service", "payment_method"]
SEED = 42

# log4j2 config that keeps Spark's startup chatter (before setLogLevel) off.
LOG4J2 = """\
rootLogger.level = warn
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
logger.hadoop.name = org.apache.hadoop
logger.hadoop.level = error
logger.parquet.name = org.apache.parquet
logger.parquet.level = error
logger.netlib.name = dev.ludovic.netlib
logger.netlib.level = error
"""


def spark_session(tmp):
    log4j = os.path.join(tmp, "log4j2.properties")
    with open(log4j, "w", encoding="utf-8") as f:
        f.write(LOG4J2)
    java_opts = f"-Dlog4j2.configurationFile=file:{log4j} -Djava.net.preferIPv4Stack=true"
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("release-gate-spark-example")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.extraJavaOptions", java_opts)
        .config("spark.sql.debug.maxToStringFields", "200")
        .config("spark.sql.warehouse.dir", os.path.join(tmp, "warehouse"))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")
    return spark


def candidate_pipeline():
    indexed = [f"{c}_idx" for c in TEXT]
    onehot = [f"{c}_ohe" for c in TEXT]
    imputed = [f"{c}_imp" for c in NUMERIC]
    return Pipeline(
        stages=[
            StringIndexer(inputCols=TEXT, outputCols=indexed, handleInvalid="keep"),
            OneHotEncoder(inputCols=indexed, outputCols=onehot, handleInvalid="keep"),
            Imputer(inputCols=NUMERIC, outputCols=imputed, strategy="median"),
            VectorAssembler(inputCols=onehot + imputed, outputCol="features"),
            LogisticRegression(
                featuresCol="features",
                labelCol="label",
                maxIter=100,
                regParam=0.001,
                standardization=True,
            ),
        ]
    )


def champion_pipeline():
    return Pipeline(
        stages=[
            StringIndexer(inputCol="contract", outputCol="contract_idx", handleInvalid="keep"),
            VectorAssembler(inputCols=["tenure", "contract_idx"], outputCol="features"),
            DecisionTreeClassifier(
                featuresCol="features", labelCol="label", maxDepth=2, seed=SEED
            ),
        ]
    )


def positive_probability(model, df, name):
    """P(label = 1) from a fitted pipeline, as column `name`."""
    scored = model.transform(df)
    return scored.withColumn(name, vector_to_array("probability")[1]).select(ID, name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="the churn CSV (examples/churn/telco_churn.csv)")
    ap.add_argument("--out", required=True, help="directory for scores/ and reference.parquet")
    args = ap.parse_args()

    t0 = time.monotonic()
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="rg-spark-")
    spark = spark_session(tmp)
    try:
        df = spark.read.csv(args.data, header=True, inferSchema=True)
        missing = [c for c in [ID, TARGET, *PROTECTED, *TEXT, *NUMERIC] if c not in df.columns]
        if missing:
            sys.exit(f"spark_job.py: {args.data} lacks columns {missing}")
        df = df.withColumn("label", (F.col(TARGET) == POSITIVE).cast("double"))
        # Two partitions before the split: randomSplit is then reproducible
        # for a given input and seed.
        df = df.repartition(2, ID).sortWithinPartitions(ID).cache()
        train, test = df.randomSplit([0.8, 0.2], seed=SEED)
        train, test = train.cache(), test.cache()

        candidate = candidate_pipeline().fit(train)
        champion = champion_pipeline().fit(train)

        scores = positive_probability(candidate, test, "score")
        champ = positive_probability(champion, test, "champion_score")
        out = (
            test.select(ID, TARGET, *PROTECTED, *DRIFT, PARTITION)
            .join(scores, ID)
            .join(champ, ID)
            .repartition(2, ID)
            .sortWithinPartitions(ID)
        )
        scores_dir = os.path.join(args.out, "scores")
        out.write.mode("overwrite").partitionBy(PARTITION).parquet(scores_dir)

        # Reference for drift, as one file: the training rows' raw features
        # and the candidate's scores on them (prediction drift).
        ref_tmp = os.path.join(tmp, "reference")
        reference = train.select(ID, *DRIFT, PARTITION).join(
            positive_probability(candidate, train, "score"), ID
        )
        reference.drop(ID).coalesce(1).write.mode("overwrite").parquet(ref_tmp)
        parts = glob.glob(os.path.join(ref_tmp, "part-*.parquet"))
        if len(parts) != 1:
            sys.exit(f"spark_job.py: expected one reference part file, got {parts}")
        shutil.move(parts[0], os.path.join(args.out, "reference.parquet"))

        n_test = spark.read.parquet(scores_dir).count()
        print(
            f"spark_job.py: {train.count()} training rows, {n_test} scored rows -> "
            f"{scores_dir}/ ; reference -> {os.path.join(args.out, 'reference.parquet')} "
            f"({time.monotonic() - t0:.1f}s)"
        )
    finally:
        spark.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
