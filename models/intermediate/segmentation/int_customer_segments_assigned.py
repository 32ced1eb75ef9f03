"""Every customer assigned to the nearest centre of the fitted model, from its parameter rows
alone (no refit): cluster, name, features raw and scaled, distance, two PCA coordinates."""

from retail_segmentation.frames import to_pandas
from retail_segmentation.segmentation import assign_from_parameters


def model(dbt, session):
    dbt.config(materialized="table")
    # ordered here, so assign_from_parameters need not sort (see prepare_features)
    features = to_pandas(dbt.ref("int_customer_segment_features"), order_by=["customer_id"])
    fitted = to_pandas(dbt.ref("int_segment_model_fitted"))
    parameters = fitted[fitted["parameter_type"].isin(["transform", "centroid"])]
    return assign_from_parameters(features, parameters)
