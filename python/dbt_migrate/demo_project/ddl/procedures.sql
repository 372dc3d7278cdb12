CREATE PROCEDURE [silver].[usp_load_DimCustomer]
AS
BEGIN
    SET NOCOUNT ON;
    MERGE silver.DimCustomer AS tgt USING ( SELECT CAST(c.CustomerID AS NVARCHAR(20)) AS CustomerCode, CONCAT(LTRIM(RTRIM(c.FirstName)), ' ', LTRIM(RTRIM(c.LastName))) AS FullName, LOWER(c.Email) AS Email, ISNULL(c.City, 'Unknown') AS City, c.UpdatedAt FROM bronze.Customer AS c WHERE c.IsDeleted = 0 ) AS src ON tgt.CustomerCode = src.CustomerCode WHEN MATCHED THEN UPDATE SET tgt.FullName = src.FullName, tgt.Email = src.Email, tgt.City = src.City, tgt.UpdatedAt = src.UpdatedAt WHEN NOT MATCHED BY TARGET THEN INSERT (CustomerCode, FullName, Email, City, UpdatedAt) VALUES (src.CustomerCode, src.FullName, src.Email, src.City, src.UpdatedAt);
END;
GO
CREATE PROCEDURE [silver].[usp_load_FactOrderLine]
AS
BEGIN
    SET NOCOUNT ON;
    DELETE FROM silver.FactOrderLine WHERE OrderDate >= '2024-01-01';
    INSERT INTO silver.FactOrderLine (OrderID, ItemNo, CustomerCode, OrderDate, ProductCode, Quantity, LineAmount) SELECT o.OrderID, i.ItemNo, d.CustomerCode, o.OrderDate, i.ProductCode, i.Qty, i.Qty * i.Price FROM bronze.Orders AS o INNER JOIN bronze.OrderItem AS i ON i.OrderID = o.OrderID INNER JOIN silver.DimCustomer AS d ON d.CustomerCode = CAST(o.CustomerID AS NVARCHAR(20)) WHERE o.Status <> 'CANCELLED';
END;
GO
CREATE PROCEDURE [silver].[usp_load_FactDailyRevenue]
AS
BEGIN
    SET NOCOUNT ON;
    TRUNCATE TABLE silver.FactDailyRevenue;
    INSERT INTO silver.FactDailyRevenue (RevenueDate, OrderCount, ItemCount, Revenue) SELECT CAST(o.OrderDate AS DATE), COUNT(DISTINCT o.OrderID), SUM(i.Qty), SUM(i.Qty * i.Price) FROM bronze.Orders AS o INNER JOIN bronze.OrderItem AS i ON i.OrderID = o.OrderID WHERE o.Status <> 'CANCELLED' GROUP BY CAST(o.OrderDate AS DATE);
END;
GO
